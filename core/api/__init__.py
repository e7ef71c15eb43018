"""The JSON API's base under /api/v1: one error format, bearer-token authentication,
request validation with translated messages, pagination, and the OpenAPI document that
every package's endpoints register themselves in."""
