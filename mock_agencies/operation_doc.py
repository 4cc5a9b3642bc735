"""Each operation of the agencies' API described for the interface profile: a description (Chinese first, English
beside it) and examples — of its parameters, of its request body, and of its answer where the operation takes
neither. One table, applied to the served OpenAPI (:func:`describe_operations`); a test checks that every operation
has its entry and no entry is left over.

The examples are one consistent story (court R410811, debtor 张三 with a pinned deposit at icbc): the values a
namespace really answers with after the requests shown (synthetic numbers, not a real person's).
"""

from __future__ import annotations

from typing import Any

from core_flow.identity import id_check_digit

COURT, CASE = "R410811", "（2026）豫0811执1号"
DEBTOR = "11010119900307700" + id_check_digit("11010119900307700")
ACCOUNT = "6222020200001234567"
SUBJECT = {"kind": "person", "name": "张三", "id_number": DEBTOR}
CALLBACK = "http://127.0.0.1:8600/callbacks/feedback"
LISTING, PRICING, TICKET, FREEZE = "AUf8346150ffe908ff", "PR4626859392614cbb", "TK0000000001", "F000000001"
SUB_ACCOUNT = "YAYZH-R410811-065c6eb8d79a"

PARAMETER_EXAMPLES: dict[str, Any] = {
    "code": "icbc", "platform": "taobao", "namespace": "default", "ticket_id": TICKET, "listing_id": LISTING,
    "pricing_id": PRICING, "request_no": "R410811-2026-000001", "court_code": COURT, "case_no": CASE,
    "agency": "icbc", "id_number": DEBTOR, "sub": SUB_ACCOUNT, "freeze_id": FREEZE, "index": 0, "limit": 20,
    "kind": "submit", "X-Zhixing-Session": "default",
}
_PRICING_CODE = {"code": "pricing_platform"}

_FREEZE = {"request_no": "R410811-2026-000001", "court_code": COURT, "case_no": CASE, "measure": "01",
           "subject": SUBJECT, "account_no": ACCOUNT, "amount_cents": 1_000_000, "callback_url": CALLBACK}
_QUERY = {"request_no": "R410811-2026-000002", "court_code": COURT, "case_no": CASE, "measure": "00",
          "subject": SUBJECT, "callback_url": CALLBACK}
_HUB_QUERY = {**_QUERY, "request_no": "R410811-2026-000003", "scope": ["icbc", "ccb", "alipay", "csdc"]}
_DEDUCT = {"request_no": "R410811-2026-000004", "court_code": COURT, "case_no": CASE, "measure": "06",
           "subject": SUBJECT, "freeze_id": FREEZE, "amount_cents": 1_000_000, "target_account": SUB_ACCOUNT}
_TRANSFER = {"request_no": "R410811-2026-000005", "court_code": COURT, "case_no": CASE, "measure": "15",
             "subject": SUBJECT, "account_no": "BDC-410811-000123", "freeze_id": "F000000002",
             "new_owner": "买受人 B000017", "callback_url": CALLBACK}
_TICKET = {"ticket_id": TICKET, "request_no": "R410811-2026-000001", "agency": "icbc", "measure": "01",
           "status": "accepted", "accepted_at": "2026-03-02T09:00:00+08:00", "duplicate": False}
_FEEDBACK = {"ticket_id": TICKET, "request_no": "R410811-2026-000001", "agency": "icbc", "measure": "01",
             "answered_at": "2026-03-02T09:00:00+08:00", "ok": True, "code": "0000",
             "message": "已冻结 1000000 分 / frozen 1000000 cents", "holdings": [], "control_result": "1",
             "freeze_id": FREEZE, "freeze_state": "active", "queue_position": None,
             "amount_requested_cents": 1_000_000, "amount_controlled_cents": 1_000_000,
             "unsecured_remainder_cents": 0, "expires_at": "2027-03-03T00:00:00+08:00", "existing_freezes": [],
             "deduct_status": None, "amount_deducted_cents": None, "batch": None, "notice": None}
_HOLDING = {"account_no": ACCOUNT, "kind": "deposit", "balance_cents": 1_250_000, "available_cents": 1_250_000}
_LISTING = {"court_code": COURT, "case_no": CASE, "asset_id": "A-001", "asset_kind": "real_estate",
            "description": "焦作市山阳区某小区 3 号楼 1 单元 501 室", "valuation_cents": 100_000_000,
            "starting_price_cents": 70_000_000, "deposit_cents": 10_000_000,
            "bidding_starts": "2026-04-13T10:00:00+08:00", "callback_url": "http://127.0.0.1:8600/callbacks/auction"}
_PRICING = {"request_no": "P-2026-000001", "court_code": COURT, "case_no": CASE, "asset_id": "A-001",
            "asset_kind": "real_estate", "description": "焦作市山阳区某小区 3 号楼 1 单元 501 室",
            "callback_url": "http://127.0.0.1:8600/callbacks/pricing"}

# (method, path) -> (description, {example name: (summary, body)} or None, answer example or None)
Doc = tuple[str, dict[str, tuple[str, Any]] | None, Any]
OPERATIONS: dict[tuple[str, str], Doc] = {
    ("GET", "/agencies"): (
        "协助执行单位目录：代码、名称、类别、受理的措施代码、地方银行的地区。/ The catalogue of agencies: code, name, "
        "group, the measure codes each accepts, a local bank's region.", None,
        [{"code": "icbc", "name": "工商银行", "name_en": "Industrial and Commercial Bank of China",
          "group": "national_bank", "operations": ["00", "01", "02", "04", "06"], "region": None}]),
    ("GET", "/agencies/{code}"): (
        "一个协助执行单位的目录条目；未知代码答 404。/ One agency's catalogue entry; an unknown code is a 404.",
        None, None),
    ("POST", "/agencies/{code}/requests"): (
        "提交查控请求（查询、冻结、续冻、解冻、扣划、查封…）。机构即时受理并返回工单（202），业务结果稍后以回调送达"
        "（见 callbacks）并可轮询；同一请求编号再次提交返回同一工单（200，duplicate），不重复执行；"
        "同一编号而内容不同答 409。"
        "机构代码为 zdz 时是总对总查询：scope 列明集约查询的机构，答复分批。限流（429）与维护（503）附 Retry-After，"
        "此类请求未被受理。过户（15，不动产与车辆登记机关）写明所依据的查封（freeze_id）与新权利人（new_owner）："
        "财产登记至买受人或承受人名下、不再属于被执行人，该查封及其后的轮候查封随之解除（状态 transferred）；"
        "已过户的再次过户、轮候查封或他院的查封据以过户均以 409 拒绝。/ Submit a 查控 request (query, freeze, renewal, "
        "unfreeze, deduction, seal, transfer …). The agency "
        "accepts at once with a ticket (202); the result is posted later to callback_url (see callbacks) and can be "
        "polled. The same request number again returns the same ticket (200, duplicate) and never acts twice; the "
        "same number with other content is a 409. To agency zdz it is a 总对总 query: scope names the agencies of "
        "the 集约查询 and the answers come in parts. 429 and 503 carry Retry-After; such a request was not accepted. "
        "A transfer (15, 过户: the real-estate and vehicle registries) names the seal it acts on (freeze_id) and the "
        "new owner (new_owner): the property is registered to the buyer or the creditor and leaves the debtor's "
        "holdings, and the seal ends with every 轮候 seal queued behind it (state transferred); a second transfer, or "
        "one under a queued seal or another court's, is a 409.",
        {"freeze": ("冻结存款 / freeze a deposit", _FREEZE),
         "query": ("查询 / query", _QUERY),
         "hub_query": ("总对总集约查询（机构代码 zdz）/ a 总对总 query (agency zdz)", _HUB_QUERY),
         "deduct": ("扣划入一案一账号 / deduct into the case's sub-account", _DEDUCT),
         "transfer": ("过户：拍卖成交的房产登记至买受人名下（机构代码 real_estate_registry）/ transfer a flat sold at "
                      "auction to its buyer (agency real_estate_registry)", _TRANSFER)},
        None),
    ("GET", "/agencies/{code}/requests"): (
        "按请求编号查询工单与反馈（请求编号按法院唯一；持法院令牌时法院由令牌确定）。/ Poll a ticket and its answer by "
        "request number (unique per court; with a court token the court is the token's).", None,
        {"ticket": {**_TICKET, "status": "answered"}, "feedback": _FEEDBACK}),
    ("GET", "/agencies/{code}/requests/{ticket_id}"): (
        "按工单号查询工单与反馈；尚未反馈时 feedback 为 null；工单超过保留期后答 410（请求编号仍可识别）。/ Poll a "
        "ticket "
        "and its answer; feedback is null until answered; a ticket retired after the retention is a 410 (its request "
        "number is still recognised).", None,
        {"ticket": {**_TICKET, "status": "answered"}, "feedback": _FEEDBACK}),
    ("GET", "/admin/profiles"): (
        "可用的行为配置（时延、工作时间、维护、故障率、回调行为）。/ The behaviour profiles (latencies, business "
        "hours, "
        "maintenance, fault rates, callback behaviour).", None,
        [{"name": "fast", "description": "无时延、无故障：吞吐测试用 / no latency, no faults, for throughput work",
          "defaults": {"latency": {"query": {"dist": "fixed", "min_seconds": 0}}, "business_hours": None,
                       "maintenance": [], "faults": {"error_5xx": 0.0, "timeout": 0.0, "reset": 0.0,
                                                     "rate_limit": 0.0}},
          "classes": {}, "overrides": {}}]),
    ("GET", "/admin/sessions"): (
        "全部命名空间（测试会话）及其状态。/ Every namespace (test session) and its state.", None,
        [{"namespace": "default", "seed": 1, "profile": "fast", "overrides": {}, "time_scale": 0.0,
          "origin": "2026-03-02T09:00:00+08:00", "now": "2026-03-05T09:00:00+08:00", "tickets": 2,
          "retired_tickets": 0, "pending_answers": 0, "pending_callbacks": 0, "journal_entries": 18,
          "journal_size": 1000}]),
    ("PUT", "/admin/sessions/{namespace}"): (
        "创建或替换一个命名空间：种子、行为配置及覆盖、时间倍速、时钟起点；其他命名空间不受影响。/ Create or replace a "
        "namespace: seed, profile and overrides, time scale, clock origin; other namespaces are untouched.",
        {"seeded": ("可复现的测试会话 / a reproducible test session",
                    {"seed": 1, "profile": "fast", "time_scale": 0.0, "origin": "2026-03-02T09:00:00+08:00"})},
        None),
    ("GET", "/admin/sessions/{namespace}"): (
        "一个命名空间的状态（首次使用时按默认设置建立）。/ A namespace's state (created with the defaults on first "
        "use).",
        None, None),
    ("DELETE", "/admin/sessions/{namespace}"): (
        "删除一个命名空间及其持久化状态。/ Delete a namespace and its saved state.", None, None),
    ("POST", "/admin/sessions/{namespace}/reset"): (
        "以原设置重置一个命名空间（工单、台账、时钟重新开始）。/ Reset a namespace with its settings (tickets, "
        "ledger and "
        "clock start afresh).", None, None),
    ("PATCH", "/admin/sessions/{namespace}/profile"): (
        "修改行为配置或其覆盖（按 * / 类别 / 机构代码），默认与已有覆盖合并。/ Change the behaviour profile or its "
        "overrides (by *, group or agency code), merged with the existing ones unless replace.",
        {"slow_bank": ("工商银行查询变慢 / slower queries at icbc",
                       {"overrides": {"icbc": {"latency": {"query": {"dist": "fixed", "min_seconds": 3600}}}}})},
        None),
    ("PUT", "/admin/sessions/{namespace}/faults"): (
        "设置故障率（5xx、超时、连接重置、限流）及 Retry-After 范围，作用于 * / 类别 / 机构。/ Set fault rates (5xx, "
        "timeout, reset, rate limit) and the Retry-After range, for *, a group or an agency.",
        {"flaky": ("一成 5xx、半成限流 / 10% 5xx, 5% rate limited",
                   {"scope": "national_bank", "error_5xx": 0.1, "rate_limit": 0.05,
                    "retry_after_min_seconds": 1, "retry_after_max_seconds": 30})},
        None),
    ("GET", "/admin/sessions/{namespace}/behaviour/{agency}"): (
        "某机构在本命名空间的生效行为（配置与覆盖合并后）。/ An agency's effective behaviour in this namespace "
        "(profile "
        "and overrides merged).", None, None),
    ("PUT", "/admin/sessions/{namespace}/pins"): (
        "设定被执行人在某机构的财产（替换推导出的财产；原始状态：可控等于余额、无冻结）。/ Pin a debtor's holdings "
        "at an "
        "agency (replacing the derived ones; original: available equals balance, no freezes).",
        {"deposit": ("一笔存款 / one deposit", {"agency": "icbc", "id_number": DEBTOR, "holdings": [_HOLDING]})},
        None),
    ("POST", "/admin/sessions/{namespace}/pins/batch"): (
        "按顺序批量设定财产；某项出错时此前各项已生效。/ Pin many holdings in order; on an error the pins before it "
        "apply.",
        {"two_banks": ("两家银行 / two banks", {"pins": [
            {"agency": "icbc", "id_number": DEBTOR, "holdings": [_HOLDING]},
            {"agency": "ccb", "id_number": DEBTOR, "holdings": []}]})},
        None),
    ("DELETE", "/admin/sessions/{namespace}/pins/{agency}/{id_number}"): (
        "取消设定，恢复推导出的财产。/ Remove a pin: the derived holdings again.", None, None),
    ("GET", "/admin/sessions/{namespace}/clock"): (
        "虚拟时钟：当前时刻、起点、倍速、下一个到期事项。/ The virtual clock: now, origin, scale, the next due item.",
        None, None),
    ("PATCH", "/admin/sessions/{namespace}/clock"): (
        "修改时间倍速（0 = 仅由 advance 推进）。/ Change the time scale (0: only advance moves it).",
        {"paused": ("暂停 / paused", {"time_scale": 0.0})}, None),
    ("PUT", "/admin/sessions/{namespace}/clock"): (
        None,  # the route's own description
        {"align": ("对齐法院时钟 / align with the court's clock",
                   {"now": "2026-03-02T09:00:00+08:00", "time_scale": 60.0})},
        None),
    ("POST", "/admin/sessions/{namespace}/advance"): (
        "推进虚拟时间（seconds 或 to 之一，一次至多十年）：途中到期的答复与回调在各自的虚拟时刻产生。/ Skip virtual "
        "time "
        "(seconds or to, at most ten years at once): answers and callbacks due on the way happen at their own "
        "instants.",
        {"three_days": ("三天 / three days", {"seconds": 259200}),
         "to": ("到某一时刻 / to an instant", {"to": "2026-03-05T09:00:00+08:00"})},
        None),
    ("GET", "/admin/sessions/{namespace}/journal"): (
        "请求日志（最近的条目，可按种类筛选；身份证号与账号默认脱敏）。/ The request journal (latest entries, by "
        "kind; ID "
        "and account numbers masked by default).", None, None),
    ("GET", "/admin/sessions/{namespace}/callbacks"): (
        "回调投递：待投递与已结束（确认或放弃）的各次尝试。/ Callback deliveries: pending and settled (acknowledged or "
        "abandoned), with each attempt.", None, None),
    ("GET", "/admin/sessions/{namespace}/ledger"): (
        "台账总额与原始总额（对账：扣划只在账户间移动款项）。/ Ledger totals and the original total (reconciliation: "
        "deductions only move money).", None, None),
    ("GET", "/admin/sessions/{namespace}/holdings/{agency}/{id_number}"): (
        "台账视图下的当前财产（已扣划、已冻结的反映在内）。/ Current holdings as the ledger sees them (deductions and "
        "freezes applied).", None, None),
    ("POST", "/admin/sessions/{namespace}/court-accounts"): (
        "为案件开立一案一账号（执行款专户的子账户）；同一案件再次开立返回同一账号。/ Open a case's sub-account of the "
        "court's enforcement account; the same case again returns the same one.",
        {"case": ("一个案件 / one case", {"court_code": COURT, "case_no": CASE})}, None),
    ("GET", "/admin/sessions/{namespace}/court-accounts/{sub}"): (
        "一案一账号的余额与流水。/ A case sub-account's balance and entries.", None, None),
    ("POST", "/admin/sessions/{namespace}/court-accounts/{sub}/payouts"): (
        "从一案一账号发放案款（不超过余额）。/ Pay out from a case sub-account (within its balance).",
        {"payout": ("发放给申请执行人 / to the creditor", {"amount_cents": 500_000, "payee": "申请执行人"})}, None),
    ("GET", "/admin/sessions/{namespace}/freezes/{freeze_id}"): (
        "台账中的一项冻结或查封：状态、金额、轮候顺位、期限。/ One freeze or seal in the ledger: state, amounts, queue "
        "position, term.", None, None),
    ("GET", "/admin/sessions/{namespace}/tickets/{ticket_id}"): (
        "工单及其答复到期时刻（测试用）。/ A ticket and when its answer is due (for tests).", None, None),
    ("GET", "/admin/sessions/{namespace}/debtors/{index}"): (
        "合成世界中的第 index 个被执行人（同一种子同一结果；测试用的有效身份号码）。/ The debtor at index in the "
        "synthetic world (the same for the same seed; valid ID numbers for tests).", None, None),
    ("POST", "/agencies/{platform}/listings"): (
        "发布一拍公告：起拍价不低于评估价 70%，保证金为起拍价 5%–20%，公告期动产 15 日、不动产 30 日，竞价至少 24 "
        "小时；"
        "结果以回调送达。/ Announce a first auction: start at least 70% of the valuation, deposit 5–20% of the start, "
        "notice 15 days (movables) or 30 (real estate), bidding at least 24 hours; results are posted by callback.",
        {"flat": ("一套住房 / a flat", _LISTING)}, None),
    ("GET", "/agencies/{platform}/listings"): (
        "平台上的标的（可按案号筛选；配置了法院令牌时只有令牌所属法院的标的）。/ The platform's listings (by case "
        "number; with court tokens, only the token's court's).", None, None),
    ("GET", "/agencies/{platform}/listings/{listing_id}"): (
        "标的详情：轮次、状态、出价、当前价。/ One listing: round, status, bids, current price.", None, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/deposits"): (
        "竞买人报名并交纳保证金。/ A bidder registers and pays the deposit.",
        {"bidder": ("竞买人 / a bidder", {"bidder_id": "B-001", "name": "李四", "amount_cents": 10_000_000})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/bids"): (
        "出价（不低于当前价加一个加价幅度）；变卖期按变卖价购买。/ A bid (at least the current price plus the "
        "increment); in a 变卖, an offer at the price.",
        {"bid": ("出价 / a bid", {"bidder_id": "B-001", "amount_cents": 70_350_000})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/relist"): (
        "一拍流拍后 30 日内再次拍卖（降价不超过 20%）。/ The second auction within 30 days of the first 流拍 (at most "
        "20% lower).",
        {"second": ("二拍 / second auction",
                    {"starting_price_cents": 56_000_000, "deposit_cents": 8_000_000,
                     "bidding_starts": "2026-05-20T10:00:00+08:00",
                     "callback_url": "http://127.0.0.1:8600/callbacks/auction"})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/reauction"): (
        "买受人悔拍（付款期限届满未付余款，标的 defaulted）后重新拍卖：原轮次、原条件（起拍价或变卖价、保证金、"
        "加价幅度），公告期同该轮次，原买受人不得参加竞买（网络司法拍卖规定 第二十四条 通行文本）；"
        "同一条件重复请求返回同一标的。/ 重新拍卖 after the buyer's default (the balance unpaid at "
        "its due date, the listing defaulted): the same round on its terms (starting or 变卖 price, deposit, "
        "increment), announced as that round is, the buyer who defaulted kept out (网络司法拍卖规定 第二十四条 "
        "as commonly published); asked again on the same terms, the same listing.",
        {"again": ("重新拍卖 / re-auction", {"bidding_starts": "2026-06-20T10:00:00+08:00",
                                          "callback_url": "http://127.0.0.1:8600/callbacks/auction"})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/in-kind"): (
        "申请执行人对以物抵债的答复。/ The creditor's answer to taking the property in kind.",
        {"accept": ("接受 / accept", {"accept": True})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/in-kind-agreement"): (
        "法院告知：流拍（或变卖不成）后未进入下一轮的标的已按作价协议以物抵债，标的结束，不再拍卖、变卖；同一作价重复告知返回"
        "同一结果。/ The court tells the platform that a listing closed unsold (a 流拍 or a failed 变卖), not followed "
        "by another round, went to the creditor in kind by agreement at the agreed value: the listing ends, no re-"
        "auction nor 变卖; told again at the same value, the same answer.",
        {"agreed": ("协议抵债 / agreed", {"price_cents": 55_000_000})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/sale"): (
        "二拍流拍且申请人不接受以物抵债后变卖（不低于评估价一半）。/ 变卖 after a second 流拍 and a refusal in kind "
        "(not "
        "below half the valuation).",
        {"sale": ("变卖 / 变卖", {"price_cents": 50_000_000, "deposit_cents": 5_000_000,
                                "sale_starts": "2026-07-01T10:00:00+08:00", "sale_ends": "2026-08-30T10:00:00+08:00",
                                "callback_url": "http://127.0.0.1:8600/callbacks/auction"})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/withdrawal"): (
        "法院撤回竞价（变卖期）尚未开始的一轮拍卖（一拍、二拍或变卖）：如申请执行人撤回申请、被执行人全部履行、和解不需拍卖"
        "（拍卖变卖规定 第二十条，一说第二十四条）。标的状态为 withdrawn，此后无结果、无回调，不再进入下一轮；"
        "重复撤回返回同一结果；竞价（变卖期）已开始或本轮已结束的不能撤回（409）。/ The court withdraws a round "
        "(first auction, second auction or 变卖) whose bidding (sale period) has not begun — the application "
        "withdrawn, the debtor paid in full, a settlement that needs no sale (拍卖变卖规定 第二十条; some "
        "sources number it 第二十四条): the listing is withdrawn, no result nor callback comes after, no next "
        "round; withdrawing again gives the same answer; one whose bidding (sale period) has begun, or that has "
        "closed, cannot be withdrawn (409).", None, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/remittance"): (
        "成交价款划入案件的一案一账号（每个标的一次）。/ Remit the price of a sold listing to the case's sub-account "
        "(once per listing).",
        {"remit": ("划付 / remit", {"sub_account": SUB_ACCOUNT})}, None),
    ("POST", "/agencies/{platform}/listings/{listing_id}/deposit-remittance"): (
        "悔拍买受人不予退还的保证金划入案件的一案一账号（每个悔拍的标的一次；再次请求返回同一金额、不再入账）；"
        "买受人未悔拍的标的不能划付（409）。/ Remit the forfeited deposit of a listing whose buyer defaulted (悔拍) "
        "to the case's sub-account (once per defaulted listing; asked again it answers the same amount and books "
        "nothing); a listing whose buyer did not default cannot be remitted (409).",
        {"remit": ("划付 / remit", {"sub_account": SUB_ACCOUNT})}, None),
    ("POST", "/agencies/{code}/inquiries"): (
        "网络询价：三家平台 3 日内答复（可延期），参考价为平均值；受理即返回（202），结果以回调送达并可轮询。/ Network "
        "price inquiry: three platforms answer within 3 days (extensions possible), the reference price is their "
        "mean; accepted at once (202), the result posted by callback and pollable.",
        {"flat": ("一套住房 / a flat", _PRICING)}, None),
    ("POST", "/agencies/{code}/appraisals"): (
        "委托评估：评估机构 30 日内出具报告；受理即返回（202），结果以回调送达并可轮询。/ Commissioned appraisal: "
        "the valuer "
        "reports within 30 days; accepted at once (202), the result posted by callback and pollable.",
        {"flat": ("一套住房 / a flat", {**_PRICING, "request_no": "P-2026-000002"})}, None),
    ("GET", "/agencies/{code}/pricings"): (
        "按请求编号查找询价评估：平台以该编号受理的该法院的请求（没有则为空列表；请求编号按法院唯一，法院为令牌所属法院，"
        "无令牌时为 court_code，皆无时返回各法院的）。法院的请求所有答复均丢失而案件已结案时，据此查明平台"
        "是否已受理并撤回，而不重发（重发会在已结案的案件上新建请求）。/ Find a pricing request by its request "
        "number: the court's request the platform accepted under it (none: an empty list; request numbers are unique "
        "per court — the court is the token's, else court_code; with neither, every court's). A court whose every "
        "answer to a request was "
        "lost, its case closed meanwhile, learns whether the platform took it and withdraws it — without sending "
        "it again, which would make a new request on the closed case.", None, None),
    ("GET", "/agencies/{code}/pricings/{pricing_id}"): (
        "询价评估请求及其结果。/ A pricing request and its result.", None, None),
    ("POST", "/agencies/{code}/pricings/{pricing_id}/withdrawal"): (
        "法院撤回尚未出具结果的询价评估（如财产已协议以物抵债）：此后不再答复、回调；重复撤回返回同一结果，已出具结果的不能"
        "撤回（409）。/ The court withdraws a pricing request with no result yet (the property went in kind by "
        "agreement…): no answer nor callback comes after; withdrawing again gives the same answer; one with its "
        "result out cannot be withdrawn (409).", None, None),
}


def describe_operations(schema: dict[str, Any]) -> None:
    """Put each operation's description and examples into the OpenAPI ``schema`` (operations without an entry
    are left as they are: a test finds them)."""
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            doc = OPERATIONS.get((method.upper(), path))
            if doc is None:
                continue
            description, bodies, answer = doc
            if description is not None:
                op["description"] = description
            for param in op.get("parameters", []):
                name = param.get("name")
                if name == "code" and path.startswith("/agencies/{code}/") and "requests" not in path:
                    param["example"] = _PRICING_CODE["code"]
                elif name in PARAMETER_EXAMPLES:
                    param["example"] = PARAMETER_EXAMPLES[name]
            if bodies:
                media = op.get("requestBody", {}).get("content", {}).get("application/json")
                if media is not None:
                    media["examples"] = {k: {"summary": s, "value": v} for k, (s, v) in bodies.items()}
            if answer is not None:
                for status, response in op.get("responses", {}).items():
                    if status.startswith("2") and "application/json" in response.get("content", {}):
                        response["content"]["application/json"]["example"] = answer
                        break
