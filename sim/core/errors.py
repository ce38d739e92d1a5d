"""User-facing errors.

Every problem caused by input (a file, a field, a command-line value) is raised as a
:class:`UserError`. The CLI prints its message on one line and exits with code 2; it never
shows a traceback for these. Library code must not catch and hide them.
"""

from __future__ import annotations


class UserError(Exception):
    """An input problem the user can fix (bad file, field, value or path).

    Parameters
    ----------
    message
        One line naming the file, field and what is allowed.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
