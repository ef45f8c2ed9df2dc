"""Administrative regions: the division table, the city → district picker, and region codes
on organisations, people and stations (see docs/regions.md)."""


def init_app(app) -> None:
    """Codes follow names (regions.sync); templates get the picker's table."""
    from regions import divisions, sync

    sync.init_app(app)
    app.jinja_env.globals.update(
        region_provinces=lambda: divisions.table().provinces,
        region_districts=divisions.districts_of,
        region_label=lambda code: divisions.district(code).label if divisions.district(code) else "")
