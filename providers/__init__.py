"""Providers: the categories they serve (and, as the providers issue lands, their profiles,
practitioners, credentials, services, schedules, slots and feeds)."""
