"""The catalogue of refusal codes: every code the engine or the platform refuses a command with, and what it means.

Scenarios name the code they expect (``refused: NODE_FROZEN``); the scenario loader checks a code against this
catalogue (with suggestions for a misspelt one), the JSON Schema lists it, the README tabulates it, and a test keeps
it equal to the codes the code actually uses (``tests/test_refusals.py``).
"""

from __future__ import annotations

import difflib

REFUSALS: dict[str, tuple[str, str]] = {
    # filing, identity, nodes
    "ALREADY_FILED": ("案件已立案", "the case is already filed"),
    "UNKNOWN_CASE": ("案件不存在", "no such case"),
    "CASE_CLOSED": ("案件已结案，不再受理此类命令", "the case is closed; this command is no longer taken"),
    "CALENDAR_RANGE": ("期限落在没有节假日数据的年份（严格日历）", "a deadline falls in a year without holiday data "
                                                            "(strict calendar)"),
    "UNKNOWN_DEBTOR": ("本案无此被执行人", "no such debtor in the case"),
    "IDENTITY_NOT_CORRECTED": ("身份验证未通过，须先更正身份信息", "identity verification failed: correct it first"),
    "UNKNOWN_NODE": ("未知节点", "unknown node"),
    "UNKNOWN_ITEM": ("节点无此工作事项", "the node has no such work item"),
    "UNKNOWN_ANCHOR": ("未知起算事件", "unknown anchor event"),
    "ANCHOR_NEEDS_ASSET": ("该事件按财产记录（拍卖轮次的开始或结束），须写明财产（instance）",
                           "the event is per asset (a round of its sale starts or ends): name the asset (instance)"),
    "NODE_STARTED": ("节点已开始", "the node has already started"),
    "NODE_DONE": ("节点已完成", "the node is already done"),
    "ITEM_DONE": ("工作事项已完成", "the work item is already done"),
    "NODE_FROZEN": ("节点已冻结（或其前序节点冻结），须先解冻",
                    "the node (or one before it) is frozen: unfreeze first"),
    "REQUIRES_NODE": ("须先完成前置节点（如失信须先限消）", "a required node is not done (失信 needs 限消)"),
    "NOT_YET": ("所待事件尚未届至（如执行通知书指定的履行期间届满前不得限消）",
                "not before a recorded instant (限消 waits for the period the notice set to perform to end)"),
    "SIGNATURE_REQUIRED": ("须写明签发或审批人（院长签发、提存审批）", "the act must name who signs or approves it"),
    "UNKNOWN_GROUND": ("未知失信事由（失信规定第一条第一至六项）",
                       "unknown 失信 ground (1–6 of the 2017 rules' article 1)"),
    "NO_GROUND": ("该节点不按事由确定措施期限，不取事由或期限延长", "the node takes no ground or term extension"),
    "BAD_EXTENSION": ("期限不能如此延长（无固定期限，或超出可延长的年数）",
                      "the term cannot be extended so (no fixed term, or beyond the years allowed)"),
    # unfreeze, authorities
    "NOT_FROZEN": ("节点未冻结", "the node is not frozen"),
    "UNFREEZE_PENDING": ("解冻申请已在审批中", "an unfreeze is already pending"),
    "NO_UNFREEZE_REQUEST": ("没有待审批的解冻申请", "no unfreeze request pending"),
    "NOT_FORWARDED": ("解冻须先层报下级审核", "the unfreeze must go up through the lower level first (层报)"),
    "WRONG_AUTHORITY": ("审批主体无权审批", "this authority may not approve it"),
    # the time limit
    "BAD_LIMIT_CHANGE": ("期限变更类型应为延长或中止", "a limit change is extend or suspend"),
    "REASON_REQUIRED": ("须写明理由（期限变更原因为节点42必填项；提存须附提存情形）",
                        "a reason is required (a limit change's reason is a node-42 mandatory field; an escrow names "
                        "its grounds)"),
    "ALREADY_SUSPENDED": ("审限已中止", "the limit is already suspended"),
    "NOT_SUSPENDED": ("审限未中止", "the limit is not suspended"),
    "NO_LIMIT_CHANGE": ("没有待审批的期限变更", "no limit change pending"),
    # closing
    "UNKNOWN_MANNER": ("未知结案方式", "unknown closing manner"),
    "MANNER_NOT_FOR_CASE_TYPE": ("该结案方式不适用于本案的案件类型（列出可用的结案方式）",
                                 "the closing manner is not for this case's type (its manners listed)"),
    "ZHONGBEN_GATE": ("不符合终本条件（逐项列出）", "终本 conditions not met (each listed)"),
    "RELEASE_GATE": ("结案将解除控制措施，尚有未完成的事项（逐项列出：已成交或以物抵债的财产未完成成交裁定、过户交付；"
                     "拍卖或变卖的一轮已开始尚未结束）",
                     "the closing releases the controls while work they secure is open (each listed: property sold "
                     "or taken in kind whose ruling and transfer are not done; a round of sale begun and not ended)"),
    "CLOSING_PENDING": ("报结申请正在审查中", "a 报结 is already under review"),
    "NO_CLOSING_REQUEST": ("没有待审查的报结申请", "no 报结 under review"),
    "BAD_CLOSED_AT": ("补录的结案日期须在立案之后、当前之前，且须写明审查人",
                      "a closing entered after the fact lies between filing and now and names its reviewer"),
    # 集约查询
    "INQUIRY_NOT_TRIGGERED": ("集约查询尚未触发（须分案且身份验证通过）", "the 集约查询 is not triggered yet"),
    "INQUIRY_STARTED": ("集约查询已发起", "the 集约查询 already started"),
    "BAD_SCOPE": ("查询范围为空或重复", "the scope is empty or repeats an agency"),
    "NOT_IN_SCOPE": ("机构不在集约查询范围内（或无进行中的集约查询）", "the agency is not in the 集约查询 scope"),
    "ALREADY_ANSWERED": ("该机构已反馈", "the agency has already answered"),
    "NO_FEEDBACK": ("没有待查看的财产反馈", "no property feedback to open"),
    "MANUAL_QUERY_LOCKED": ("集约查询范围内的机构未全部反馈前不得自行查询", "no own query to the scope before every "
                                                                   "agency answered"),
    # control and money
    "BAD_AMOUNT": ("金额不在允许范围内", "the amount is out of range"),
    "ASSET_AGENCY": ("财产属于另一机构", "the asset belongs to another agency"),
    "NO_FREEZE": ("财产没有生效的冻结", "no active freeze on the asset"),
    "NOT_LATER": ("续行后的期限应晚于原期限", "a renewal must end later than the term"),
    "RECEIPT_EXISTS": ("到账记录已存在", "the receipt is already recorded"),
    "IN_KIND_EXISTS": ("该财产已以物抵债", "the asset was already taken in kind"),
    "NO_RECEIPT": ("没有该笔到账", "no such receipt"),
    "ALREADY_APPROVED": ("案款发放审批已完成", "the payout is already approved"),
    "PAYOUT_NOT_APPROVED": ("案款发放审批未完成", "the payout is not approved yet"),
    "RECEIPT_NOT_REGISTERED": ("到账未登记（节点32）", "the receipt is not registered (node 32)"),
    "ESCROWED": ("该笔款项已提存", "the receipt is escrowed"),
    "CLAIM_OUTSTANDING": ("申请执行人的债权尚未清偿，不能退还余款",
                          "the applicant's claim is not met: no surplus is returned"),
    "FEE_UNSETTLED": ("执行申请费尚未结清：本笔款项应先结算执行申请费，发放或退还的金额以其余额为限",
                      "the application fee is not settled: the receipt settles it first, a payout or a surplus "
                      "returned takes at most the rest"),
    "RETURN_TO_DEBTOR": ("案件以销案、不予执行或驳回申请结案，账户中的款项只能退还被执行人，不能发放给申请执行人",
                         "the case closed without enforcing its title (销案, 不予执行, 驳回申请): the money held goes "
                         "back to the debtor, not to the applicant"),
    "NOTHING_TO_ESCROW": ("该笔款项已发放或已提存，或全部用于结算执行申请费",
                          "the receipt is already paid out or escrowed, or the application fee takes all of it"),
    "DEDUCTION_NOT_APPLICABLE": ("划拨节点不适用于本案（财产保全案件的财产留待判决后执行）",
                                 "the deduction node does not apply to the case (preserved property is held for the "
                                 "judgment)"),
    "AMBIGUOUS_ASSET": ("该机构处有多项财产，须用别名指明", "several assets at the agency: name one"),
    "UNKNOWN_AGENCY": ("未知机构", "unknown agency"),
    # 终本 and resumption
    "NO_FEE_TO_HAND_OVER": ("本案没有可转入恢复执行案件的执行申请费（未收取，或已转入）",
                            "this case has no application fee to hand over (none charged, or handed over already)"),
    "NOT_ZHONGBEN": ("只有终本案件可以申请恢复执行", "only a 终本 case can be resumed"),
    "RESUMPTION_PENDING": ("恢复执行申请已提出", "a resumption is already under way"),
    "NO_RESUMPTION_REQUEST": ("没有待审批的恢复执行申请", "no resumption request pending"),
    "RESUMPTION_NOT_APPROVED": ("恢复执行未经审批", "the resumption is not approved"),
    "NOT_RESUMED_AS": ("本案未恢复执行为该案件，不能向其移交冻结、查封",
                       "this case was not resumed as that case: its freezes and seals cannot go there"),
    "NOT_RESUMED_FROM": ("本案不是该案件的恢复执行案件，不能接续其冻结、查封",
                         "this case is not that case's resumption: it cannot take over its freezes and seals"),
    "ASSET_EXISTS": ("财产已在本案控制之下", "the asset is already controlled in this case"),
    # disposal (nodes 19–30: seals, reference price, auctions)
    "DISPOSAL_NOT_APPLICABLE": ("处置节点不适用于本案（财产保全案件的财产留待判决后执行）",
                                "the disposal nodes do not apply to the case (preserved property is held for the "
                                "judgment)"),
    "DISPOSAL_STAGE": ("处置尚未到此步骤（如报告未送达、未流拍）", "the disposal is not at this step yet"),
    "OBJECTION_LATE": ("异议已超过收到报告后五日", "the objection is later than 5 days after the report"),
    "CASE_CLOSED_DISPOSAL": ("案件已结案，不再推进其财产处置（询价、送达报告、异议审查、通知、上拍、二拍、"
                             "以物抵债答复、协议以物抵债、变卖）",
                             "the case is closed: its property's disposal is not advanced (pricing, report, objection "
                             "review, notice, listing, second auction, answer in kind, agreement in kind, 变卖)"),
    "REFERENCE_PRICE_LAPSED": ("参考价已超过有效期（一年；二拍、变卖另宽限六个月），须重新确定参考价",
                               "the reference price has lapsed (1 year; a second auction or 变卖 6 months more): fix "
                               "a new price"),
    # 以物抵债 by agreement (node 29 第2项: Disposal.agree_in_kind)
    "IN_KIND_NOT_ALLOWED": ("本院流程不受理不经拍卖、变卖的协议以物抵债",
                            "this court's process takes no payment in kind by agreement without a sale"),
    "IN_KIND_NO_CONSENT": ("协议以物抵债须经申请执行人和被执行人同意",
                           "payment in kind by agreement needs both the applicant's and the debtor's consent"),
    "IN_KIND_PRICE": ("抵债作价须大于零，且有尚未受偿的债权（高于未受偿额的作价依流程受理或拒绝）",
                      "the agreed value must be positive and a claim must be outstanding (a value above it is taken "
                      "or refused as the process says)"),
    "IN_KIND_NOT_CONTROLLED": ("本院未控制该财产（未查封冻结、轮候未生效、已解除或失效），不能以物抵债",
                               "this court does not control the property (not sealed or frozen, its measure queued, "
                               "released or lapsed): no payment in kind"),
    "IN_KIND_OTHER_CREDITORS": ("该财产上另有其他债权人的查封、冻结，以物抵债将损害其权益（未记录其同意）",
                                "other creditors' measures are on the property: payment in kind would harm them "
                                "(their consent not recorded)"),
    "IN_KIND_NO_REFERENCE_PRICE": ("本院流程要求先确定财产处置参考价，再协议以物抵债",
                                   "this court's process needs a fixed reference price before payment in kind by "
                                   "agreement"),
    "PLATFORM_RETRYING": ("拍卖或询价平台故障，平台正以同一请求重试",
                          "the auction or pricing platform failed; the same request is being retried"),
    "ANSWERED_REMOTE": ("立案系统的答复时间（approve_resumption 的 answered）只能用于 zhixing 自己的法院",
                        "the filing system's answer time (approve_resumption's answered) is for zhixing's own court "
                        "only"),
    "NO_AUCTION": ("此运行方式没有模拟拍卖平台（bid 步骤需要进程内或 --agencies-url 的 zhixing 服务）",
                   "no mock auction platform in this run (a bid step needs zhixing's, in process or --agencies-url)"),
    "BALANCE_COUNT_REMOTE": ("auction_platform.balance_due_count 只能用于进程内的模拟机构"
                             "（--agencies-url 的服务按其自身设置计算尾款期限）",
                             "auction_platform.balance_due_count needs the mock agencies in process (a server at "
                             "--agencies-url counts the balance term as it is set up)"),
    "NO_LISTING": ("该财产没有在拍标的", "the asset has no listing"),
    "NOT_FOUND": ("平台上没有该标的或请求", "no such listing or request on the platform"),
    "NOT_SUPPORTED": ("平台接口（旧版本）不支持该操作（如撤回拍卖）",
                      "the platform's port (an older interface) has no such operation (a listing's withdrawal, say)"),
    "OTHER_COURT_REMOTE": ("此运行方式不支持其他法院的措施（无可直接访问的模拟机构）",
                           "another court's measures are not supported in this run (no mock agencies to reach)"),
    # the platform's own refusals
    "PLATFORM_REFUSED": ("平台拒绝（见说明）", "the platform refused it (see the message)"),
}


def suggest(code: str, n: int = 3) -> list[str]:
    """The catalogue's codes closest to a misspelt one."""
    return difflib.get_close_matches(code.upper(), list(REFUSALS), n=n, cutoff=0.5)
