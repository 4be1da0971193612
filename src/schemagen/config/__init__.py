"""The project configuration: `paths` (where things are; the standard library only) and `project`
(the settings, read and checked with the schema language's models)."""
