"""People and tenancy: parks, enterprises, provider organisations, users, the roles they
hold through memberships, invitations, password resets and API tokens."""
