"""One module per ``linkcheck`` sub-command; each exposes ``register(subparsers)``.

A registered parser sets ``func`` (``Callable[[argparse.Namespace], int]``) as its default.
Command modules import their heavy dependencies inside ``func`` so ``linkcheck --help`` is fast.
"""
