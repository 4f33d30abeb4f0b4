"""The WordPress plugin: building its installable zip."""
