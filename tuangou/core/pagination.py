"""The paginators of every list: Ninja's page-number pagination with bounded page numbers, and the
same with a keyset cursor for lists that grow to millions of rows.

Ninja's own takes any page (`?page=922337203685477580` became an OFFSET the database refuses: a
500); here page and page_size are documented and checked like every other integer (core/bounds.py).
"""

from typing import Any

from ninja import Field, Schema
from ninja import pagination as ninja_pagination

from .bounds import MAX_ID, MAX_PAGE, MAX_PAGE_SIZE


class PageNumberPagination(ninja_pagination.PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 20, max_page_size: int = MAX_PAGE_SIZE, **kwargs):
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)


class KeysetPagination(PageNumberPagination):
    """Newest first by id, by page number or by cursor, each page costing about the same however deep.

    `?cursor=<next_cursor of the previous page>` reads the rows with a smaller id through the index
    (`WHERE id < cursor ORDER BY id DESC LIMIT n`). Ids are unique, so no row is skipped or repeated
    between pages, even among rows created in the same instant. `?page=n` still works: the page's
    first id is found by skipping entries of an index (from whichever end is nearer), and the page
    is then read by keyset — never an OFFSET over whole rows. The queryset must be ordered by -id.

    Counting a million rows costs more than reading a page, so `count` stops at COUNT_CAP
    (`count_capped` then says there are more): the pager shows that many pages, a narrower search
    or the cursor reaches the rest."""

    COUNT_CAP = 10_000

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
        cursor: int | None = Field(None, ge=1, le=MAX_ID, description="next_cursor of the previous page")

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool = Field(False, description="more rows than count; narrow the search or follow next_cursor")
        next_cursor: int | None = Field(None, description="pass as ?cursor= for the next page; null on the last")

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = self._get_page_size(pagination.page_size)
        count = queryset.order_by().values("id")[: self.COUNT_CAP + 1].count()
        capped = count > self.COUNT_CAP
        count = min(count, self.COUNT_CAP)
        if pagination.cursor:
            start = queryset.filter(id__lt=pagination.cursor)
        elif pagination.page == 1:
            start = queryset
        else:
            first_id = _id_at(queryset, (pagination.page - 1) * size, None if capped else count)
            start = queryset.filter(id__lte=first_id) if first_id else queryset.none()
        rows = list(start[: size + 1])
        return {
            self.items_attribute: rows[:size],
            "count": count,
            "count_capped": capped,
            "next_cursor": rows[size - 1].id if len(rows) > size else None,
        }


def _id_at(queryset, offset: int, count: int | None) -> int | None:
    """The id at `offset` of the list (newest first), or None past its end (`count` None: unknown)."""
    if count is not None and offset >= count:
        return None
    if count is None or offset < count // 2:
        ids = queryset.values_list("id", flat=True)[offset : offset + 1]
    else:  # nearer the end: skip from the oldest
        ids = queryset.order_by("id").values_list("id", flat=True)[count - 1 - offset : count - offset]
    found = list(ids)
    return found[0] if found else None
