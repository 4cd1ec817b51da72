"""Writes of the payments app: escrow (funding, approval, disputes), refunds, payouts and gateway callbacks."""
