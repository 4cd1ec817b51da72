"""Signing up with a role, and `me/`: what spans accounts, companies and freelancers.

A user is the accounts app's; the freelancer profile and the company a new user gets with their role are the
freelancers' and companies' apps'. Creating the three together sits here, above all of them, so that accounts
never imports the apps built on it (docs/architecture.md, "Layers")."""
