"""Model time: one step is one hour, and days are whole multiples of it."""

HOURS_PER_DAY = 24
"""Steps (hours) in a day: step ``t`` is hour ``t % HOURS_PER_DAY`` of day
``t // HOURS_PER_DAY``."""
