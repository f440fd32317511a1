"""Pure B2B meeting-schedule engine: places accepted meeting requests into (slot, table) pairs."""
