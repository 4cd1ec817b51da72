"""The Indonesian banks freelancers can withdraw to, with their account-number formats.

`xendit_channel` is the channel code of Xendit's v2 Payouts API. Account-number lengths are the digit counts the
banks issue for personal savings accounts (from each bank's published format; where a bank issues several
lengths, the range covers them). The list is fixed on purpose: a payout to a code outside it is refused (400)
before any money moves.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Bank:
    code: str
    name: str
    xendit_channel: str
    min_digits: int
    max_digits: int


BANKS = {
    bank.code: bank
    for bank in (
        Bank("BCA", "Bank Central Asia (BCA)", "ID_BCA", 10, 10),
        Bank("BNI", "Bank Negara Indonesia (BNI)", "ID_BNI", 10, 10),
        Bank("BRI", "Bank Rakyat Indonesia (BRI)", "ID_BRI", 15, 15),
        Bank("MANDIRI", "Bank Mandiri", "ID_MANDIRI", 13, 13),
        Bank("BSI", "Bank Syariah Indonesia (BSI)", "ID_BSI", 10, 10),
        Bank("CIMB", "CIMB Niaga", "ID_CIMB", 12, 14),
        Bank("PERMATA", "Bank Permata", "ID_PERMATA", 10, 16),
        Bank("DANAMON", "Bank Danamon", "ID_DANAMON", 10, 13),
        Bank("BTN", "Bank Tabungan Negara (BTN)", "ID_BTN", 16, 16),
        Bank("MAYBANK", "Maybank Indonesia", "ID_MAYBANK", 10, 12),
        Bank("OCBC", "OCBC NISP", "ID_OCBC", 12, 12),
        Bank("PANIN", "Panin Bank", "ID_PANIN", 10, 10),
        Bank("MEGA", "Bank Mega", "ID_MEGA", 15, 15),
        Bank("BJB", "Bank BJB", "ID_BJB", 13, 13),
        Bank("JAGO", "Bank Jago", "ID_JAGO", 12, 12),
        Bank("SEABANK", "SeaBank Indonesia", "ID_SEABANK", 12, 12),
        Bank("BTPN", "Bank BTPN (Jenius)", "ID_BTPN", 10, 14),
    )
}

BANK_CHOICES = [(bank.code, bank.name) for bank in BANKS.values()]
