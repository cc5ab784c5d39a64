"""The exit codes, as ruff, shellcheck and actionlint use them (plus 3 and the signals).

Precedence 2 > 1 > 3 > 0; ``--allow-inconclusive`` turns 3 into 0 and nothing else.
"""

EXIT_OK = 0  # every check met its expectation
EXIT_FAILED = 1  # at least one definite failure
EXIT_USAGE = 2  # usage or configuration error: nothing was probed
EXIT_INCONCLUSIVE = 3  # no definite failure, but some checks could not be decided
EXIT_SIGINT = 130  # interrupted by SIGINT; the reports are still written
EXIT_SIGTERM = 143  # interrupted by SIGTERM (CI cancellation); the reports are still written
