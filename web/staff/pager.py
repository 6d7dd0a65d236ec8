"""Which page of a long list is shown (the conversations, the request queue, the audit log, the
Improve inbox). Pure. A page number past the end shows the last page, rather than an empty
one: a list shrinks under staff as they work through it (a request changes status, a message is
labelled), and a link to "page 3" should still show something."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Page `page` of a list of `total` items, `per_page` a page."""

    total: int
    per_page: int
    page: int = 1

    @classmethod
    def at(cls, asked: int, total: int, per_page: int) -> Pager:
        """The page asked for, within the pages there are (page 1 of an empty list)."""
        pages = max(1, -(-total // per_page))
        return cls(total, per_page, max(1, min(asked, pages)))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """How many items come before this page's first."""
        return (self.page - 1) * self.per_page

    def of(self, items: Sequence[T]) -> Sequence[T]:
        """This page's items of the whole list."""
        return items[self.offset : self.offset + self.per_page]
