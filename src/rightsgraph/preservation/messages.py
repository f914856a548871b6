"""User-facing preservation messages in English and Chinese.

Errors carry a message key and its parameters, and are rendered in the caller's language
(`PreservationError.text(lang)`): the library never has to know who is reading.
"""

from __future__ import annotations

MESSAGES = {
    "bad_iri": {
        "en": "{param} {value!r}: not an absolute IRI",
        "zh": "{param} {value!r}：不是绝对 IRI"},
    "no_location": {
        "en": "{path}: not inside any storage location; add one first: rightsgraph preserve location add NAME DIR",
        "zh": "{path}：不在任何存储位置之内；请先添加：rightsgraph preserve location add 名称 目录"},
    "unknown_location": {
        "en": "no storage location named {name!r} (known: {known})",
        "zh": "没有名为 {name!r} 的存储位置（已有：{known}）"},
    "location_exists": {
        "en": "a storage location named {name!r} already exists (root {root})",
        "zh": "名为 {name!r} 的存储位置已存在（根目录 {root}）"},
    "location_root": {
        "en": "{root}: the root of a storage location must be an existing folder",
        "zh": "{root}：存储位置的根目录必须是已存在的文件夹"},
    "outside_location": {
        "en": "{path}: not inside storage location {name!r} ({root})",
        "zh": "{path}：不在存储位置 {name!r}（{root}）之内"},
    "already_registered": {
        "en": "{path}: already registered as <{object}>",
        "zh": "{path}：已登记为 <{object}>"},
    "no_resource": {
        "en": "--resource <{resource}>: not a resource in the store (rg:Resource)",
        "zh": "--resource <{resource}>：库中没有此资源（rg:Resource）"},
    "resource_needed": {
        "en": "--resource IRI is needed: content is preserved for a resource (only --kind store-backup has none)",
        "zh": "须给出 --resource IRI：保存的内容属于某一资源（只有 --kind store-backup 不需要）"},
    "package": {"en": "{detail}", "zh": "{detail}"},
    "changed_while_reading": {
        "en": "{path}: its {algorithm} digest differs from the package manifest ({expected} expected, {found} read); nothing was registered",
        "zh": "{path}：其 {algorithm} 摘要与包清单不符（应为 {expected}，读得 {found}）；未登记任何内容"},
    "unreadable_file": {
        "en": "{path}: cannot be read ({error}); nothing was registered",
        "zh": "{path}：无法读取（{error}）；未登记任何内容"},
    "file_name": {
        "en": "{path}: the file name is not valid UTF-8, so it cannot be recorded; rename it, then register again",
        "zh": "{path}：文件名不是有效的 UTF-8，无法记录；请重命名后再登记"},
    "unknown_object": {
        "en": "<{object}>: no preserved object with this IRI or for this resource",
        "zh": "<{object}>：没有此 IRI 的保存对象，也没有属于此资源的保存对象"},
    "ambiguous_object": {
        "en": "<{object}>: {count} preserved objects belong to this resource; name one: {objects}",
        "zh": "<{object}>：此资源有 {count} 个保存对象；请指明其中一个：{objects}"},
    "acq_duplicate": {
        "en": "{acquisition}: a {stage} stage dated {date} is already recorded",
        "zh": "{acquisition}：{date} 的{stage}阶段已有记录"},
    "refused": {
        "en": "refused: {action} of <{resource}> to {location} is not permitted ({reason}){clauses}",
        "zh": "已拒绝：许可不允许对 <{resource}> 执行{action}到 {location}（{reason}）{clauses}"},
    "no_good_source": {
        "en": "{path}: no intact copy to repair it from (checked: {checked}); nothing was overwritten",
        "zh": "{path}：没有可用于修复的完好副本（已核验：{checked}）；未覆盖任何文件"},
    "copy_not_verified": {
        "en": "{path}: the copy written does not match the registered digest; removed, nothing was overwritten",
        "zh": "{path}：写入的副本与登记的摘要不符；已删除，未覆盖任何文件"},
    "same_location": {
        "en": "the replica location must differ from the copies' own location ({name})",
        "zh": "副本位置须不同于原副本所在位置（{name}）"},
    "target_exists": {
        "en": "{path}: already exists; nothing is written over it",
        "zh": "{path}：已存在；不会覆盖"},
    "no_intact_object": {
        "en": "<{object}>: no location holds a copy whose every file verifies now ({checked}); nothing was done",
        "zh": "<{object}>：没有任何存储位置的副本能全部通过核验（{checked}）；未做任何操作"},
    "command_failed": {
        "en": "the conversion command failed ({detail}): {command}; nothing was registered",
        "zh": "转换命令失败（{detail}）：{command}；未登记任何内容"},
    "action_replicate": {"en": "replication", "zh": "复制"},
    "action_repair": {"en": "repair", "zh": "修复"},
    "action_migrate": {"en": "format migration", "zh": "格式迁移"},
    "action_transfer": {"en": "transfer", "zh": "移交"},
    "acq_stage": {
        "en": "stage {stage!r}: not an acquisition stage (one of {known})",
        "zh": "阶段 {stage!r}：不是采购阶段（可用：{known}）"},
    "acq_decision": {
        "en": "--decision {decision!r}: one of {known}",
        "zh": "--decision {decision!r}：须为 {known} 之一"},
    "acq_notice": {
        "en": "--notice-days {value}: must be zero or more days",
        "zh": "--notice-days {value}：须为零或正的天数"},
    "acq_date": {
        "en": "--{param} {value!r}: not a date (YYYY-MM-DD) or date-time (ISO 8601)",
        "zh": "--{param} {value!r}：不是日期（YYYY-MM-DD）或日期时间（ISO 8601）"},
    "acq_ended": {
        "en": "--ended {ended} is before the stage's date {started}",
        "zh": "--ended {ended} 早于该阶段的日期 {started}"},
    "acq_licence": {
        "en": "--licence <{licence}>: not a licence in the store (rg:Licence)",
        "zh": "--licence <{licence}>：库中没有此许可协议（rg:Licence）"},
    "acq_package": {
        "en": "--package <{package}>: not a package or collection in the store",
        "zh": "--package <{package}>：库中没有此资源包或集合"},
    "acq_unknown": {
        "en": "{acquisition}: no acquisition recorded under this identifier; record its first stage with `rightsgraph acquisition record`",
        "zh": "{acquisition}：没有以此标识记录的采购过程；请先用 `rightsgraph acquisition record` 记录其第一个阶段"},
    "doc_type": {
        "en": "--type {doc_type!r}: one of {known}",
        "zh": "--type {doc_type!r}：须为 {known} 之一"},
    "doc_of": {
        "en": "--to {of}: not a licence (rg:Licence) or an acquisition in the store",
        "zh": "--to {of}：库中没有此许可协议（rg:Licence）或采购过程"},
    "no_primary": {
        "en": "no primary storage location to keep the document in; add one (rightsgraph preserve location add NAME DIR --role primary) or give --location",
        "zh": "没有可存放文件的主存储位置；请先添加（rightsgraph preserve location add 名称 目录 --role primary）或给出 --location"},
    "library_needed": {
        "en": "--library IRI is needed: rights are checked for the library that acts (or set RIGHTSGRAPH_LIBRARY)",
        "zh": "须给出 --library IRI：权利按执行操作的图书馆核查（或设置 RIGHTSGRAPH_LIBRARY）"},
}


class PreservationError(Exception):
    """A preservation command cannot do what was asked; nothing was stored or overwritten."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return msg(self.key, lang, **self.params)


def msg(key: str, lang: str = "en", **params) -> str:
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**params)
