"""Your code for the kitchen_sink API: custom action handlers. schemagen scaffolds files here once."""
