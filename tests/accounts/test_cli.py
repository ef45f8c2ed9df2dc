"""`flask users create / set-role` and the demo accounts."""
from accounts.models import Organisation, User
from extensions import db
from rest_stations.models import Station
from tests.accounts.helpers import log_in


def _user(phone="+8613700000001") -> User:
    return db.session.scalar(db.select(User).where(User.phone == phone))


def test_create_staff_with_a_new_organisation(runner):
    result = runner.invoke(args=["users", "create", "--phone", "137 0000 0001", "--name", "小王",
                                 "--role", "staff", "--org", "河东区总工会", "--create-org",
                                 "--city", "天津市", "--district", "河东区",
                                 "--password", "a long password"])
    assert result.exit_code == 0, result.output
    user = _user()
    assert user.role == "staff" and user.organisation.name == "河东区总工会"
    assert user.organisation.district == "河东区"


def test_an_unknown_organisation_is_an_error_not_a_new_one(runner):
    result = runner.invoke(args=["users", "create", "--phone", "13700000001", "--name", "小王",
                                 "--role", "staff", "--org", "打错的名字", "--password", "a long password"])
    assert result.exit_code != 0 and "--create-org" in result.output
    assert db.session.scalar(db.select(Organisation)) is None and _user() is None


def test_staff_without_an_organisation_is_refused(runner):
    result = runner.invoke(args=["users", "create", "--phone", "13700000001", "--name", "小王",
                                 "--role", "staff", "--password", "a long password"])
    assert result.exit_code != 0 and _user() is None


def test_password_is_prompted_with_confirmation_when_not_given(runner, client):
    result = runner.invoke(args=["users", "create", "--phone", "13700000001", "--name", "管理员",
                                 "--role", "admin"], input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    log_in(client, _user(), "a long password")


def test_short_password_is_refused(runner):
    result = runner.invoke(args=["users", "create", "--phone", "13700000001", "--name", "x",
                                 "--password", "short"])
    assert result.exit_code != 0 and _user() is None


def test_set_role_promotes_a_worker_and_demotes_back(runner, make_user, make_organisation):
    make_organisation("河东区总工会")
    worker = make_user(phone="+8613700000001")
    promoted = runner.invoke(args=["users", "set-role", "--phone", "13700000001", "--role", "staff",
                                   "--org", "河东区总工会"])
    assert promoted.exit_code == 0, promoted.output
    db.session.refresh(worker)
    assert worker.role == "staff" and worker.organisation.name == "河东区总工会"
    demoted = runner.invoke(args=["users", "set-role", "--phone", "13700000001", "--role", "worker"])
    assert demoted.exit_code == 0
    db.session.refresh(worker)
    assert worker.role == "worker" and worker.organisation_id is None


def test_demo_seed_prints_staff_and_admin_logins_and_assigns_stations_by_city(runner, client):
    first = runner.invoke(args=["seed-demo"], env={"LANG": "en_US.UTF-8"})
    assert first.exit_code == 0, first.output
    assert "For local use only" in first.output
    assert "13800000001" in first.output and "13800000002" in first.output
    # Other domains' seeders add their own demo people (e.g. wishes); a second run adds none.
    accounts = db.session.scalar(db.select(db.func.count(User.id)))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == accounts >= 4
    tianjin = db.session.scalar(db.select(Organisation).where(Organisation.name == "天津市河东区总工会"))
    stations = db.session.scalars(db.select(Station).where(Station.city == "天津市")).all()
    assert stations and {s.organisation_id for s in stations} == {tianjin.id}
    staff = _user("+8613800000001")
    assert staff.role == "staff" and staff.organisation_id == tianjin.id
    assert _user("+8613800000002").role == "admin"
