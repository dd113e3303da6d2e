"""The daily memory sweep: claimed once per due time across racing workers, off when told, and
run by the maintenance loop's sweep with its report stored."""
import threading
from datetime import datetime, timedelta

import pytest

from agentdeck.agtos.memory.maintenance import schedule
from agentdeck.storage.models.agtos_entities import MaintenanceReport, MaintenanceSchedule


@pytest.fixture(autouse=True)
def no_load_rule(settings, monkeypatch):
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_MAX_LOAD", "0")


def test_the_first_look_records_the_next_due_time_at_3_utc(client):
    assert schedule.claim_due_sweep(datetime(2026, 5, 1, 12, 0)) is False
    assert MaintenanceSchedule.get().next_due_at == datetime(2026, 5, 2, 3, 0)
    assert schedule.claim_due_sweep(datetime(2026, 5, 2, 2, 59)) is False
    assert schedule.claim_due_sweep(datetime(2026, 5, 2, 3, 0, 1)) is True
    assert MaintenanceSchedule.get().next_due_at == datetime(2026, 5, 3, 3, 0)
    assert schedule.claim_due_sweep(datetime(2026, 5, 2, 3, 0, 2)) is False


def test_racing_workers_claim_a_due_time_once(client):
    schedule.claim_due_sweep(datetime(2026, 5, 1, 12, 0))
    wins, barrier = [], threading.Barrier(6)

    def worker():
        barrier.wait()
        wins.append(schedule.claim_due_sweep(datetime(2026, 5, 2, 3, 0, 5)))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1


def test_the_schedule_can_be_changed_or_turned_off(client, monkeypatch):
    schedule.claim_due_sweep(datetime(2026, 5, 1, 12, 0))
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE", "30 4 * * 1")
    assert schedule.claim_due_sweep(datetime(2026, 5, 1, 12, 0)) is False
    assert MaintenanceSchedule.get().next_due_at == datetime(2026, 5, 4, 4, 30)  # the next Monday
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE", "off")
    assert schedule.claim_due_sweep(datetime(2026, 6, 1)) is False
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE", "not cron")
    assert schedule.claim_due_sweep(datetime(2026, 6, 1)) is False


def test_the_loop_sweep_runs_a_due_sweep_and_stores_its_report(client):
    schedule.claim_due_sweep()
    MaintenanceSchedule.update(next_due_at=datetime.utcnow() - timedelta(seconds=1)).execute()
    schedule.run_scheduled_sweep()
    stored = MaintenanceReport.get()
    assert stored.trigger == "schedule" and stored.report["summary"]["stale"] == 0
    body = client.get("/agtos/api/memory/maintenance/reports").json()
    assert body["count"] == 1 and body["reports"][0]["timestamp"] == stored.timestamp_ms
    schedule.run_scheduled_sweep()  # not due again until tomorrow
    assert MaintenanceReport.select().count() == 1
