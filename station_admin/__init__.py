"""Staff manage their stations: editor, geocoding, bulk upload, export, audit log, data quality."""
