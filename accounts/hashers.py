"""The password hasher: Argon2id with the parameters OWASP's Password Storage Cheat Sheet recommends as its first
option (19 MiB of memory, 2 iterations, 1 degree of parallelism).

Django's Argon2 defaults (100 MiB, 2 iterations, 8 lanes) cost a login about 150-220 ms on this project's 2-core
machine and use eight threads, so two concurrent logins saturate it; docs/benchmarks.md ("Login") has the
figures before and after. The algorithm name stays `argon2`, so hashes made with the old parameters still
verify, and Django rehashes them with these at the user's next successful login (`must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class BantuArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
