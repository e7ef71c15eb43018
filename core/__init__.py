"""The platform's foundation: configuration, database, errors, money, time, languages,
accounts and tenancy, authorisation policy and the JSON API base.

Nothing in ``core`` imports from the other packages; they all build on it.
"""
