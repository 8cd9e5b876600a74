"""The sandbox org, checked by a client none of us wrote: Genesys's official Python SDK.

Starts `rollcall sandbox --json` as its own process, then uses PureCloudPlatformClientV2 to get
a token, create a user, read it back, search it, list divisions and the home division, page
through users, receive a duplicate e-mail as an ApiException, look up roles, queues, skills
and locations, and give the user a role, a skill, a queue, a location and an extension. Then
what makes the user ready on day 1: a language, a group, employer info and auto-answer (one
PATCH and the bulk one), an external id, roles by permission, and a WebRTC phone whose station
becomes the default. Then
Genesys as it is today: no rate-limit headers, a deleted user read with state='deleted' in the
Home division and restored there, a state-only PATCH, a division move, passwords, the org's
limits refused, a search of several e-mails, the 10,000 listing cap and a phone with an
extension read back as display + extension. A second sandbox (2 requests per 2 s, limits
readable) answers the org's limits in the SDK's model and a 429 whose Retry-After the SDK's
transport waits out. If the SDK rejects an answer, the sandbox is wrong.

Usage: python sdk_compat.py PATH_TO_ROLLCALL_BINARY
Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
import uuid

import PureCloudPlatformClientV2 as gc
from PureCloudPlatformClientV2.rest import ApiException

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


@contextlib.contextmanager
def sandbox(binary, *flags):
    """A sandbox process with these flags; yields its JSON line (url and demo credentials)."""
    process = subprocess.Popen(
        [binary, "sandbox", "--json", *flags], stdout=subprocess.PIPE, text=True
    )
    try:
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)


def connect(info):
    gc.configuration.host = info["url"]
    return gc.api_client.ApiClient(host=info["url"]).get_client_credentials_token(
        info["client_id"], info["client_secret"]
    )


def main(binary):
    with sandbox(binary) as info:
        run_checks(info)
    limited = ["--rate-limit", "2", "--rate-window", "2", "--org-limits-readable"]
    with sandbox(binary, *limited) as info:
        limit_checks(info)
    print(f"sdk: {passed} passed, {failed} failed")


def run_checks(info):
    api_client = connect(info)
    check("token from /oauth/token", bool(api_client.access_token))

    authorization = gc.AuthorizationApi(api_client)
    users = gc.UsersApi(api_client)

    divisions = authorization.get_authorization_divisions(page_size=25, page_number=1)
    names = [d.name for d in divisions.entities]
    check("divisions listed", "Home" in names and "Sales" in names, names)
    check("division listing total", divisions.total == len(names), divisions.total)
    home = authorization.get_authorization_divisions_home()
    check("home division", home.name == "Home" and home.home_division is True, home)
    sales = next(d for d in divisions.entities if d.name == "Sales")

    email = f"sdk.{uuid.uuid4().hex[:8]}@example.com"
    body = gc.CreateUser()
    body.name = "Sdk Person"
    body.email = email
    body.division_id = sales.id
    body.title = "Tester"
    body.state = "active"
    phone = gc.Contact()
    phone.address = "+14155550100"
    phone.media_type = "PHONE"
    phone.type = "WORK"
    body.addresses = [phone]
    created = users.post_users(body)
    check("user created", created.id and created.email == email, created)
    check("created in the division", created.division.id == sales.id, created.division)
    check("created active", created.state == "active", created.state)
    check("version 1", created.version == 1, created.version)

    fetched = users.get_user(created.id)
    check("user read back", fetched.name == "Sdk Person" and fetched.title == "Tester", fetched)
    check("work phone kept", fetched.addresses[0].address == "+14155550100", fetched.addresses)

    criterion = gc.UserSearchCriteria()
    criterion.type = "EXACT"
    criterion.fields = ["email"]
    criterion.value = email
    search = gc.UserSearchRequest()
    search.query = [criterion]
    found = users.post_users_search(search)
    check(
        "user found by e-mail",
        found.total == 1 and found.results[0].id == created.id,
        found,
    )

    criterion.value = "nobody.at.all@example.com"
    empty = users.post_users_search(search)
    check("empty search", empty.total == 0 and not empty.results, empty)

    page = users.get_users(page_size=2, page_number=1, state="any")
    check("users paged", len(page.entities) == 2 and page.page_count >= 3, page.page_count)

    patch = gc.UpdateUser()
    patch.version = fetched.version
    patch.department = "Quality"
    updated = users.patch_user(created.id, patch)
    check("user patched", updated.department == "Quality" and updated.version == 2, updated)

    duplicate = gc.CreateUser()
    duplicate.name = "Sdk Twin"
    duplicate.email = email.upper()
    try:
        users.post_users(duplicate)
        check("duplicate e-mail refused", False, "no exception")
    except ApiException as e:
        error = json.loads(e.body)
        check("duplicate e-mail refused with 409", e.status == 409, e.status)
        check("duplicate e-mail code", error.get("code") == "general.conflict", error)
        check(
            "duplicate carries correlation id",
            error.get("contextId") == e.headers.get("inin-correlation-id"),
            (error.get("contextId"), dict(e.headers)),
        )

    try:
        users.get_user(str(uuid.uuid4()))
        check("unknown user is 404", False, "no exception")
    except ApiException as e:
        check("unknown user is 404", e.status == 404 and "not.found" in e.body, e.body)

    directory_checks(api_client, created.id)
    day_one_checks(api_client, created.id)
    today_checks(api_client, created.id, home, sales)


def directory_checks(api_client, user_id):
    """Roles, queues, skills, locations, and giving them to a user, through the SDK's models."""
    authorization = gc.AuthorizationApi(api_client)
    routing = gc.RoutingApi(api_client)
    users = gc.UsersApi(api_client)
    locations_api = gc.LocationsApi(api_client)

    roles = authorization.get_authorization_roles(page_size=100, page_number=1)
    role_names = [r.name for r in roles.entities]
    check("roles listed", "Agent" in role_names and roles.total == len(role_names), role_names)
    agent = authorization.get_authorization_roles(name="Agent").entities
    check("role found by exact name", [r.name for r in agent] == ["Agent"], agent)

    queues = routing.get_routing_queues(page_size=2, page_number=1)
    check("queues paged", len(queues.entities) == 2 and queues.page_count >= 3, queues.page_count)
    support = routing.get_routing_queues(name="*Support").entities
    check(
        "queues by wildcard name",
        sorted(q.name for q in support) == ["Spanish Support", "Support"],
        [q.name for q in support],
    )
    check("queue has a division", support[0].division.id is not None, support[0].division)

    skills = routing.get_routing_skills(name="Span")
    check("skills by leading name", [s.name for s in skills.entities] == ["Spanish"], skills)
    locations = locations_api.get_locations(page_size=25, page_number=1)
    location_names = [l.name for l in locations.entities]
    check("locations listed", "Remote" in location_names, location_names)

    home = authorization.get_authorization_divisions_home()
    grant = gc.RoleDivisionPair()
    grant.role_id = agent[0].id
    grant.division_id = home.id
    grants = gc.RoleDivisionGrants()
    grants.grants = [grant]
    authorization.post_authorization_subject_bulkadd(user_id, grants)
    subject = authorization.get_authorization_subject(user_id)
    check(
        "role granted",
        len(subject.grants) == 1
        and subject.grants[0].role.name == "Agent"
        and subject.grants[0].division.id == home.id,
        subject,
    )

    skill = gc.UserRoutingSkillPost()
    skill.id = skills.entities[0].id
    skill.proficiency = 4.0
    answer = users.patch_user_routingskills_bulk(user_id, [skill])
    check(
        "skill given",
        len(answer.entities) == 1 and answer.entities[0].proficiency == 4.0,
        answer,
    )
    listed = users.get_user_routingskills(user_id)
    check("skills read back", [s.name for s in listed.entities] == ["Spanish"], listed)

    member = gc.WritableEntity()
    member.id = user_id
    routing.post_routing_queue_members(support[0].id, [member])
    member_of = users.get_user_queues(user_id)
    check(
        "queue membership read back",
        [q.id for q in member_of.entities] == [support[0].id],
        member_of,
    )
    try:
        routing.post_routing_queue_members(support[0].id, [member] * 101)
        check("101 queue members refused", False, "no exception")
    except ApiException as e:
        check("101 queue members refused", e.status == 400 and "bad.request" in e.body, e.body)

    current = users.get_user(user_id)
    patch = gc.UpdateUser()
    patch.version = current.version
    place = gc.Location()
    place.id = next(l.id for l in locations.entities if l.name == "Remote")
    patch.locations = [place]
    extension = gc.Contact()
    extension.extension = "4321"
    extension.media_type = "PHONE"
    extension.type = "WORK2"
    patch.addresses = list(current.addresses or []) + [extension]
    users.patch_user(user_id, patch)
    expanded = users.get_user(user_id, expand=["locations"])
    check(
        "location read back with expand",
        [l.location_definition.id for l in expanded.locations or []] == [place.id],
        expanded.locations,
    )
    check(
        "extension kept",
        any(c.extension == "4321" for c in expanded.addresses),
        expanded.addresses,
    )


def day_one_checks(api_client, user_id):
    """What makes an agent ready on day 1 (API-day1.md), through the SDK's own calls and
    models: languages, groups, employer info and auto-answer, external ids, roles by
    permission, and a WebRTC phone whose station becomes the user's default."""
    routing = gc.RoutingApi(api_client)
    users = gc.UsersApi(api_client)
    groups_api = gc.GroupsApi(api_client)

    languages = routing.get_routing_languages(page_size=100, page_number=1)
    spanish = next(l for l in languages.entities if l.name == "Spanish")
    check("languages listed", languages.total == 4, [l.name for l in languages.entities])
    language = gc.UserRoutingLanguagePost()
    language.id = spanish.id
    language.proficiency = 4.0
    given = users.patch_user_routinglanguages_bulk(user_id, [language])
    check(
        "language given in bulk",
        [(l.name, l.proficiency) for l in given.entities] == [("Spanish", 4.0)],
        given,
    )
    held = users.get_user_routinglanguages(user_id)
    check("languages read back", [l.id for l in held.entities] == [spanish.id], held)

    criterion = gc.GroupSearchCriteria()
    criterion.type = "EXACT"
    criterion.fields = ["name"]
    criterion.value = "Tier 1 Agents"
    search = gc.GroupSearchRequest()
    search.query = [criterion]
    found = groups_api.post_groups_search(search)
    check("group found by exact name", found.total == 1, found)
    group = groups_api.get_group(found.results[0].id)
    update = gc.GroupMembersUpdate()
    update.member_ids = [user_id]
    update.version = group.version
    groups_api.post_group_members(group.id, update)
    members = groups_api.get_group_members(group.id)
    check("group member added", [m.id for m in members.entities] == [user_id], members)
    e = refused(lambda: groups_api.post_group_members(group.id, update))
    check(
        "a stale group version is 409",
        e is not None and e.status == 409 and "does not match" in e.json.get("message", ""),
        e,
    )
    listed = groups_api.get_groups(page_size=25, page_number=1)
    check("groups listed", listed.total == 3, listed.total)

    current = users.get_user(user_id)
    patch = gc.UpdateUser()
    patch.version = current.version
    patch.acd_auto_answer = True
    info = gc.EmployerInfo()
    info.official_name = "Sdk Q. Person"
    info.employee_id = "E12345"
    info.employee_type = "Full-time"
    info.date_hire = "2026-07-01"
    patch.employer_info = info
    users.patch_user(user_id, patch)
    expanded = users.get_user(user_id, expand=["employerInfo"])
    check(
        "employer info and auto-answer read back",
        expanded.acd_auto_answer is True
        and expanded.employer_info.employee_id == "E12345"
        and expanded.employer_info.date_hire == "2026-07-01",
        expanded,
    )
    off = gc.PatchUser()
    off.id = user_id
    off.acd_auto_answer = False
    bulk = users.patch_users_bulk([off])
    check(
        "auto-answer in bulk",
        [u.acd_auto_answer for u in bulk.entities] == [False],
        bulk,
    )

    mapping = gc.UserExternalIdentifier()
    mapping.authority_name = "Workday"
    mapping.external_key = "SDK-1"
    ids = users.post_user_externalid(user_id, mapping)
    check("external id given", [i.external_key for i in ids] == ["SDK-1"], ids)
    check(
        "external ids listed",
        [i.authority_name for i in users.get_user_externalid(user_id)] == ["Workday"],
    )
    owner = users.get_users_externalid_authority_name_external_key("Workday", "SDK-1")
    check("user found by external id", owner.id == user_id, owner)
    e = refused(lambda: users.get_users_externalid_authority_name_external_key("Workday", "none"))
    check("an external id nobody has is 404", e is not None and e.status == 404, e)

    authorization = gc.AuthorizationApi(api_client)
    callers = authorization.get_authorization_roles(permission=["conversation:call:add"])
    check(
        "roles filtered by permission",
        sorted(r.name for r in callers.entities) == ["Admin", "Agent", "Supervisor"],
        [r.name for r in callers.entities],
    )
    phone_checks(api_client, user_id)


def phone_checks(api_client, user_id):
    """A WebRTC phone, made as Genesys's Terraform provider makes one, its station found after
    it shows, and that station set as the user's default (the user holds Agent, which grants
    Conversation > Call > Add)."""
    edges = gc.TelephonyProvidersEdgeApi(api_client)
    stations = gc.StationsApi(api_client)
    users = gc.UsersApi(api_client)

    sites = edges.get_telephony_providers_edges_sites(managed=True)
    check("managed sites listed", [s.name for s in sites.entities] == ["PureCloud Voice - AWS"])
    settings = edges.get_telephony_providers_edges_phonebasesettings(page_size=50)
    webrtc = [s for s in settings.entities if s.phone_meta_base.id == "inin_webrtc_softphone.json"]
    check("one WebRTC phone base settings", len(webrtc) == 1, settings)
    base = edges.get_telephony_providers_edges_phonebasesetting(webrtc[0].id)

    def ref(entity_id):
        r = gc.DomainEntityRef()
        r.id = entity_id
        return r

    phone = gc.Phone()
    phone.name = "WebRTC - Sdk Person"
    phone.state = "active"
    phone.site = ref(sites.entities[0].id)
    phone.phone_base_settings = ref(base.id)
    phone.line_base_settings = ref(base.lines[0].id)
    phone.phone_meta_base = ref(base.phone_meta_base.id)
    line = gc.Line()
    line.name = "line_" + user_id
    line.line_base_settings = ref(base.lines[0].id)
    phone.lines = [line]
    user = gc.User()
    user.id = user_id
    phone.web_rtc_user = user
    made = edges.post_telephony_providers_edges_phones(phone)
    check("WebRTC phone made", made.web_rtc_user.id == user_id, made)
    mine = edges.get_telephony_providers_edges_phones(web_rtc_user_id=user_id)
    check("the user's phone found", [p.id for p in mine.entities] == [made.id], mine)

    first = stations.get_stations(web_rtc_user_id=user_id)
    second = stations.get_stations(web_rtc_user_id=user_id)
    check(
        "the station shows on the second read",
        not first.entities and len(second.entities) == 1,
        (first, second),
    )
    station = second.entities[0]
    users.put_user_station_defaultstation_station_id(user_id, station.id)
    read = users.get_user_station(user_id)
    check("default station read back", read.default_station.id == station.id, read)


def refused(call):
    """The ApiException a call raises (None when it succeeds), with its body as JSON."""
    try:
        call()
        return None
    except ApiException as e:
        e.json = json.loads(e.body) if e.body else {}
        return e


def today_checks(api_client, user_id, home, sales):
    """Genesys as it is today (API.md, corrections 1-9), through the SDK's own calls."""
    users = gc.UsersApi(api_client)
    objects = gc.ObjectsApi(api_client)

    users.get_user(user_id)
    headers = {k.lower() for k in api_client.last_response.getheaders().keys()}
    check(
        "no inin-ratelimit headers",
        not any(h.startswith("inin-ratelimit") for h in headers),
        headers,
    )

    deleted = users.get_users(page_size=25, page_number=1, state="deleted").entities
    check("a deleted user is listed", len(deleted) == 1, deleted)
    riley = deleted[0]
    check("a deleted user lives in Home", riley.division.id == home.id, riley.division)
    e = refused(lambda: users.get_user(riley.id))
    check("a deleted user is 404 without state", e is not None and e.status == 404, e)
    read = users.get_user(riley.id, state="deleted")
    check("get_user with state='deleted'", read.state == "deleted", read.state)
    e = refused(lambda: users.get_user(riley.id, state="inactive"))
    check(
        "get_user state other than active or deleted is 400",
        e is not None and e.status == 400 and e.json.get("code") == "invalid.value",
        e,
    )

    restore = gc.UpdateUser()
    restore.version = read.version
    restore.state = "active"
    restore.title = "Ignored"
    restored = users.patch_user(riley.id, restore)
    check(
        "a restore changes only the state and stays in Home",
        restored.state == "active"
        and restored.title is None
        and restored.division.id == home.id,
        restored,
    )

    objects.post_authorization_division_object(sales.id, "USER", [riley.id])
    moved = users.get_user(riley.id)
    check(
        "post_authorization_division_object moves the user",
        moved.division.id == sales.id,
        moved.division,
    )
    nowhere = str(uuid.uuid4())
    e = refused(lambda: objects.post_authorization_division_object(nowhere, "USER", [riley.id]))
    check("a move to an unknown division is 404", e is not None and e.status == 404, e)

    weak = gc.ChangePasswordRequest()
    weak.new_password = "short"
    e = refused(lambda: users.post_user_password(riley.id, weak))
    check("a weak password is refused with 400", e is not None and e.status == 400, e)
    strong = gc.ChangePasswordRequest()
    strong.new_password = "Pa55-Word-Good"
    e = refused(lambda: users.post_user_password(riley.id, strong))
    check("post_user_password sets a good one", e is None, e)

    organization = gc.OrganizationApi(api_client)
    e = refused(lambda: organization.get_organizations_limits_namespace("platform.api"))
    check(
        "the org's limits are refused by default",
        e is not None and e.status == 403 and e.json.get("code") == "missing.permissions",
        e,
    )

    criterion = gc.UserSearchCriteria()
    criterion.type = "EXACT"
    criterion.fields = ["email"]
    criterion.values = [moved.email, "jordan.lee@example.com", "nobody.at.all@example.com"]
    search = gc.UserSearchRequest()
    search.query = [criterion]
    search.page_size = 1
    search.page_number = 1
    found = users.post_users_search(search)
    check(
        "search with values, paged",
        found.total == 2 and found.page_count == 2 and len(found.results) == 1,
        found,
    )

    e = refused(lambda: users.get_users(page_size=500, page_number=21, state="any"))
    check("listing past 10,000 users is 400", e is not None and e.status == 400, e)

    body = gc.CreateUser()
    body.name = "Sdk Extension"
    body.email = f"sdk.ext.{uuid.uuid4().hex[:8]}@example.com"
    phone = gc.Contact()
    phone.address = "+14155550111"
    phone.extension = "1234"
    phone.media_type = "PHONE"
    phone.type = "WORK"
    body.addresses = [phone]
    created = users.post_users(body)
    work = users.get_user(created.id).addresses[0]
    check(
        "a phone with an extension reads back as display + extension",
        work.address is None and work.display == "+14155550111" and work.extension == "1234",
        work,
    )


def limit_checks(info):
    """A sandbox at 2 requests per token per 2 s whose limits the client may read.

    The SDK's transport (urllib3's Retry, which honours Retry-After on a 429) waits out a 429
    and sends the request again, so the SDK never shows the 429 itself: the check is that the
    call still succeeds after the wait the sandbox asked for, and that the sandbox did refuse it.
    """
    api_client = connect(info)
    organization = gc.OrganizationApi(api_client)
    limits = organization.get_organizations_limits_namespace("platform.api")
    entries = {(l.namespace, l.key): l.value for l in limits.entities}
    check(
        "the org's limits in the SDK's LimitsEntityListing",
        entries == {("platform.api", "client.credentials.token.rate.per.minute"): 60},
        limits,
    )
    authorization = gc.AuthorizationApi(api_client)
    started = time.monotonic()
    authorization.get_authorization_divisions_home()
    home = refused(authorization.get_authorization_divisions_home)
    waited = time.monotonic() - started
    stats = json.load(urllib.request.urlopen(info["url"] + "/__sandbox/stats"))
    check(
        "the SDK waits out the 429's Retry-After and succeeds",
        home is None and stats["rateLimited"] == 1 and waited >= 1.0,
        (home, stats["rateLimited"], waited),
    )


if __name__ == "__main__":
    main(sys.argv[1])
    sys.exit(1 if failed else 0)
