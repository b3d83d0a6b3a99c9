"""Placeholder for __getitem__/__setitem__ (being written)."""


def getitem(x, key):
    raise NotImplementedError("__getitem__ is not implemented yet")


def setitem(x, key, value):
    raise NotImplementedError("__setitem__ is not implemented yet")
