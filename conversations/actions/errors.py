class ActionError(Exception):
    """A request the domain refuses, with a message fit to show to the person who asked."""

    def __init__(self, message, field=None):
        self.message = message
        self.field = field
        super().__init__(message)
