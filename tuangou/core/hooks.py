"""Hooks: how a lower app lets an upper one act, without importing it (the layers in .importlinter
point one way). The lower app declares a Hook in its hooks.py and calls it; the upper app
registers a receiver in its AppConfig.ready(). Receivers are plain calls in the caller's
transaction, in registration (INSTALLED_APPS) order, and their answers come back as a list —
explicit, unlike signals: every hook is declared in one place with what it passes.
"""

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc
        self.receivers: list[Callable[..., Any]] = []

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add a receiver (once, however often ready() runs); usable as a decorator."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs) -> list:
        return [receiver(**kwargs) for receiver in self.receivers]

    def merged(self, **kwargs) -> dict:
        """The receivers' answers (dicts) merged into one."""
        merged: dict = {}
        for answer in self(**kwargs):
            merged.update(answer or {})
        return merged

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.receivers)} receivers>"
