from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: orders"], auth=AUTH)
member_router = Router(tags=["member: orders"], auth=AUTH)
leader_router = Router(tags=["leader: orders"], auth=AUTH)
