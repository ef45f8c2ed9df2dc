"""A small in-app inbox: domains call `notify()`; people read it under the bell."""
