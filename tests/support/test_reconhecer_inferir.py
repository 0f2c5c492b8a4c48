"""The capture command's inference on recorded observations (tools/reconhecer/inferir.py): a value only
when exactly one candidate fits what the stack showed."""
from __future__ import annotations

from pathlib import Path

from support.readiness.observe import Answer, Observed
from support.readiness.ui_probe import PageSeen
from support.stackmap import load_map
from tools.reconhecer import inferir

ROOT = Path(__file__).resolve().parents[2]


def staging():
    return load_map(ROOT / "profiles" / "staging-local.mapa.toml")


def test_sql_names_come_from_information_schema_when_one_candidate_is_there():
    m = staging()
    seen = Observed(schema={"exporter": {"ofertas": {"id", "preco", "estoque", "categoria_id"}}})
    assert inferir.infer(m, "wl.exporter.offer.table", seen, "").value == "ofertas"
    m.entries["wl.exporter.offer.table"] = m.entries["wl.exporter.offer.table"].__class__(
        "wl.exporter.offer.table", "ofertas", "capturado", "x")
    assert inferir.infer(m, "wl.exporter.offer.price", seen, "").value == "preco"
    assert inferir.infer(m, "wl.exporter.offer.category", seen, "").value == "categoria_id"
    assert inferir.infer(m, "wl.exporter.offer.active", seen, "") is None  # no candidate: stays unknown


def test_the_export_s_shape_keys_paging_and_timestamps():
    m = staging()
    items = [{"offerId": 1, "createdAt": 1767693600000}, {"offerId": 2, "createdAt": 1767693600001}]
    seen = Observed(export_plain=Answer(200, {"content": items, "totalElements": 2}),
                    export_pages={"limit/offset": (Answer(200, {"content": items}), Answer(200, {"content": items})),
                                  "page/size": (Answer(200, {"content": items[:1]}), Answer(200, {"content": items[1:]}))})
    assert inferir.infer(m, "wl.exporter.export_offers.items", seen, "").value == "content"
    assert inferir.infer(m, "wl.exporter.export_offers.paging", seen, "").value == "page/size"
    assert inferir.infer(m, "wl.exporter.export_offers.item.id", seen, "").value == "offerId"
    assert inferir.infer(m, "wl.exporter.export_offers.timestamps", seen, "").value == "epoch_ms"
    bare = Observed(export_plain=Answer(200, items))
    assert inferir.infer(m, "wl.exporter.export_offers.items", bare, "").value == "[]"


def test_a_wl_s_error_key_from_its_refusal():
    m = staging()
    seen = Observed(errors={"importer": Answer(401, {"message": "Invalid Control Plane token", "status": 401})})
    assert inferir.infer(m, "wl.importer.error.key", seen, "").value == "message"
    assert inferir.infer(m, "wl.exporter.error.key", seen, "") is None


LOGIN = '- main:\n  - heading "XporY" [level=1]\n  - textbox "Usuário"\n  - textbox "Senha"\n  - button "Acessar"\n'
TRADES = ('- banner:\n  - text: ana@x.local (MASTER)\n- main:\n  - heading "XporY" [level=1]\n'
          '  - heading "Trades" [level=1]\n  - paragraph: "Aguardando: 3"\n  - table "Trades"\n')
PENDING = ('- main:\n  - heading "XporY" [level=1]\n  - heading "Fila" [level=1]\n  - heading "Hoje" [level=2]\n'
           '  - paragraph: "Pendentes: 4"\n')
BALANCE = ('- main:\n  - heading "XporY" [level=1]\n  - heading "Balança" [level=1]\n  - combobox "WL origem"\n'
           '  - combobox "WL destino":\n    - option "x"\n')


def pages() -> Observed:
    seen = Observed()
    for key, text in (("admin:login", LOGIN), ("admin:trades", TRADES), ("admin:pending", PENDING),
                      ("admin:balance", BALANCE)):
        seen.pages[key] = PageSeen(key, f"https://ui/{key}", 200, text)
    return seen


def test_pages_give_their_elements_headings_counters_and_the_signed_in_banner():
    m, seen = staging(), pages()
    email = inferir.infer(m, "ui.admin.login.email", seen, "ana@x.local")
    assert (email.value, email.role) == ("Usuário", "textbox")
    assert inferir.infer(m, "ui.admin.login.submit", seen, "").value == "Acessar"
    assert inferir.infer(m, "ui.admin.heading.pending", seen, "").value == "Fila"  # its own level-1 heading
    assert inferir.infer(m, "ui.admin.pending.counter", seen, "").value == "Pendentes: {n}"
    banner = inferir.infer(m, "ui.admin.signed_in", seen, "ana@x.local")
    assert (banner.value, banner.role) == ("{email} ({role})", "banner")


def test_a_combobox_without_options_in_the_snapshot_is_a_custom_select():
    m, seen = staging(), pages()
    assert inferir.infer(m, "ui.admin.balance.select_style", seen, "").value == "customizado"  # WL origem has none
