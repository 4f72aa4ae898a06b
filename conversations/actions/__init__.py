"""Every change of state in the domain goes through a function in this package."""
