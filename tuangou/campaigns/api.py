from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: campaigns"], auth=AUTH)
member_router = Router(tags=["member: campaigns"], auth=AUTH)
leader_router = Router(tags=["leader: campaigns"], auth=AUTH)
