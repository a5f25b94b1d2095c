"""`python -m lyncposter`"""

from .cli import run

run()
