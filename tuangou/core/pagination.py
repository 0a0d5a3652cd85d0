"""The one paginator of every list: Ninja's page-number pagination with bounded page numbers.

Ninja's own takes any page (`?page=922337203685477580` became an OFFSET the database refuses: a
500); here page and page_size are documented and checked like every other integer (core/bounds.py).
"""

from ninja import Field, Schema
from ninja import pagination as ninja_pagination

from .bounds import MAX_PAGE, MAX_PAGE_SIZE


class PageNumberPagination(ninja_pagination.PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 20, max_page_size: int = MAX_PAGE_SIZE, **kwargs):
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)
