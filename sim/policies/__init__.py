"""Pure decision functions chosen by name (dispatch, destination)."""
