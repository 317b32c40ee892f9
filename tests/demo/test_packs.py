from demo.packs import seed_packs
from reports.packs import pack_movement, pack_verify


def test_demo_packs_are_issued_once_and_rebuild_exactly(funded_core, director):
    first, second = seed_packs({"director": director})
    assert (first.as_at.isoformat(), second.as_at.isoformat()) == ("2025-09-30", "2025-12-31")
    assert second.parameters["previous_pack"] == first.pk
    assert [line.fund for line in pack_movement(pack=second)] == ["MOJ-CORE"]
    assert pack_verify(pack=second).ok
    assert seed_packs({"director": director}) == []
