"""jobs: job posts carry a PostGIS geography column on PostgreSQL, kept in step by triggers

附近的活 on PostgreSQL is PostGIS's KNN index scan (jobs/postgis.py), as the station finder
is (migration 0013). A post's place is its station's position when it is held at a station,
and its own lat/lon otherwise, so `job_post.geog` cannot be a generated column like
`station.geog` (a generated column reads only its own row). Two triggers keep it in step
instead, for every write path (the ORM, Core, COPY, a hand-written UPDATE):

- BEFORE INSERT OR UPDATE OF station_id, lat, lon, geog ON job_post sets geog from the
  station's geog, or from the post's own lon/lat: a value written by hand is replaced.
- AFTER UPDATE OF lat, lon ON station, only when the station really moved, moves the
  geog of the posts held there (an index on job_post.station_id finds them).

Deleting a station sets its posts' station_id to NULL (the foreign key), which fires the
first trigger. SQLite has no PostGIS and this revision changes nothing there: its search
ranks the open posts in Python (jobs/queries.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 13:10:00

"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE job_post ADD COLUMN geog geography(Point, 4326)")
    op.execute("""
        CREATE FUNCTION job_post_place() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.station_id IS NOT NULL THEN
                NEW.geog := (SELECT geog FROM station WHERE id = NEW.station_id);
            ELSE
                NEW.geog := ST_SetSRID(ST_MakePoint(NEW.lon, NEW.lat), 4326)::geography;
            END IF;
            RETURN NEW;
        END
        $$""")
    op.execute("""
        CREATE TRIGGER job_post_place_before_write
        BEFORE INSERT OR UPDATE OF station_id, lat, lon, geog ON job_post
        FOR EACH ROW EXECUTE FUNCTION job_post_place()""")
    op.execute("""
        CREATE FUNCTION job_posts_follow_station() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE job_post SET geog = NEW.geog WHERE station_id = NEW.id;
            RETURN NULL;
        END
        $$""")
    # WHEN: an import that rewrites every station's columns moves no post that did not move.
    op.execute("""
        CREATE TRIGGER station_moves_job_posts AFTER UPDATE OF lat, lon ON station
        FOR EACH ROW WHEN (OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon)
        EXECUTE FUNCTION job_posts_follow_station()""")
    op.create_index('ix_job_post_station_id', 'job_post', ['station_id'], unique=False)
    op.execute("UPDATE job_post SET geog = NULL")  # the backfill: the trigger fills every row
    op.execute("ALTER TABLE job_post ALTER COLUMN geog SET NOT NULL")
    op.execute("CREATE INDEX ix_job_post_geog ON job_post USING gist (geog)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_job_post_geog', table_name='job_post')
    op.execute("DROP TRIGGER station_moves_job_posts ON station")
    op.execute("DROP FUNCTION job_posts_follow_station()")
    op.execute("DROP TRIGGER job_post_place_before_write ON job_post")
    op.execute("DROP FUNCTION job_post_place()")
    op.drop_index('ix_job_post_station_id', table_name='job_post')
    op.drop_column('job_post', 'geog')
