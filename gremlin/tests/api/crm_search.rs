//! CRM search on SQLite and PostgreSQL, held to the model's in-memory rule:
//! random filter groups, words and sorts over random companies and deals
//! give exactly the records (in exactly the order, page after page) that
//! filtering and sorting them by brute force gives. Plus the API: 422s
//! naming bad filters, and another organization's records never found.

use std::cmp::Ordering;
use std::sync::Arc;

use gremlin_crm::model::search::{FilterInput, Operator, Property, PropertyType, Scalar, check};
use gremlin_crm::model::{Amount, CompanyFields, DealFields, PersonFields, Record, Searchable};
use gremlin_crm::ports::{RecordRepository, RecordSearch, Recorded};
use gremlin_crm::store::{SearchColumns, SqlRecords, search_statement};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use poem::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseBackend, TransactionTrait};
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, KitHeaders, TestApp, json, owner, problem};

both_backends! {
    company_search_agrees_with_brute_force => company_search_agrees_with_brute_force,
    every_sort_is_read_in_index_order => every_sort_is_read_in_index_order,
    tags_are_searched_as_a_set_and_unindexed_sorts_refused => tags_are_searched_as_a_set_and_unindexed_sorts_refused,
    the_search_api_checks_filters_and_stays_in_its_organization => the_search_api_checks_filters_and_stays_in_its_organization,
}

const NAMES: &[&str] = &["Acme Corp", "ACME  corp", "Globex", "Initech", "Ærø Fisk", "Zed 50%_off"];
const DOMAINS: &[&str] = &["acme.com", "globex.io", "initech.example", "aero.dk"];
const CITIES: &[&str] = &["Berlin", "berlin", "Köln", "Ærøskøbing"];
const AMOUNTS: &[&str] = &["0", "12.5", "12.4999", "100", "99999.9999", "1200000"];
const OWNERS: &[&str] = &["u1", "u2", "u3"];
const TAGS: &[&str] = &["VIP", "partner", "lead_50%", "Kunde-Ø", "vi"];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn maybe<T>(rng: &mut StdRng, value: T) -> Option<T> {
    rng.random_bool(0.7).then_some(value)
}

fn company(rng: &mut StdRng) -> CompanyFields {
    let name = format!("{} {}", pick(rng, NAMES), if rng.random_bool(0.3) { "GmbH" } else { "" });
    let amount = pick(rng, AMOUNTS).parse().unwrap();
    let currency = Currency::parse(pick(rng, &["EUR", "USD"])).unwrap();
    let revenue = maybe(rng, Amount { amount, currency });
    let domain = pick(rng, DOMAINS).to_owned();
    let employees = rng.random_range(0..120);
    let city = pick(rng, CITIES).to_owned();
    let owner = UserId::new(pick(rng, OWNERS));
    let mut tags: Vec<String> = (0..rng.random_range(0..3)).map(|_| pick(rng, TAGS).to_owned()).collect();
    tags.dedup();
    CompanyFields {
        name,
        domain: maybe(rng, domain),
        employees: maybe(rng, employees),
        annual_revenue: revenue,
        address: gremlin_crm::model::Address { city: maybe(rng, city), ..Default::default() },
        links: vec![],
        owner_id: maybe(rng, owner),
        tags,
    }
}

/// A value for a filter on `property`: one the records hold (so equality
/// hits), a piece of one (for `contains`), or one nobody holds.
fn value_for(rng: &mut StdRng, property: Property, companies: &[Record<CompanyFields>]) -> Json {
    let record = &companies[rng.random_range(0..companies.len())];
    let held = CompanyFields::value(record, property.name);
    let unheld = |rng: &mut StdRng| match property.ty {
        PropertyType::Number => json!(pick(rng, &["-1", "12.49995", "50", "1000"])),
        PropertyType::Time => json!("2020-01-01T00:00:00Z"),
        PropertyType::Date => json!("2026-12-31"),
        _ => json!("nobody-has-this"),
    };
    if rng.random_bool(0.15) {
        return unheld(rng);
    }
    match (property.ty, held) {
        (_, None) => unheld(rng),
        (_, Some(Scalar::Text(t))) => {
            let chars: Vec<char> = t.chars().collect();
            let from = rng.random_range(0..chars.len());
            let to = rng.random_range(from..=chars.len());
            json!(if rng.random_bool(0.5) { t.to_uppercase() } else { chars[from..to].iter().collect::<String>() })
        }
        (_, Some(Scalar::Code(c))) => json!(c),
        (_, Some(Scalar::Number(n))) => json!(n.to_string()),
        (_, Some(Scalar::Time(us))) => {
            let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap();
            json!(t.format(&time::format_description::well_known::Rfc3339).unwrap())
        }
        (_, Some(Scalar::Date(d))) => json!(d.to_string()),
        (_, Some(Scalar::Tags(tags))) => {
            let tag = &tags[rng.random_range(0..tags.len())];
            json!(if rng.random_bool(0.5) { tag.to_uppercase() } else { tag.clone() })
        }
    }
}

fn operators_for(ty: PropertyType) -> &'static [Operator] {
    use Operator::*;
    match ty {
        PropertyType::Text => &[Eq, Neq, Contains, In, NotIn, HasProperty, NotHasProperty],
        PropertyType::Code | PropertyType::Tags => &[Eq, Neq, In, NotIn, HasProperty, NotHasProperty],
        _ => &[Eq, Neq, Lt, Lte, Gt, Gte, In, NotIn, HasProperty, NotHasProperty],
    }
}

fn random_filter(rng: &mut StdRng, companies: &[Record<CompanyFields>]) -> FilterInput {
    let properties = CompanyFields::PROPERTIES;
    let property = properties[rng.random_range(0..properties.len())];
    let operators = operators_for(property.ty);
    let operator = operators[rng.random_range(0..operators.len())];
    let (value, values) = match operator {
        Operator::HasProperty | Operator::NotHasProperty => (None, vec![]),
        Operator::In | Operator::NotIn => {
            (None, (0..rng.random_range(1..4)).map(|_| value_for(rng, property, companies)).collect())
        }
        _ => (Some(value_for(rng, property, companies)), vec![]),
    };
    FilterInput { property: property.name.to_owned(), operator, value, values }
}

/// The sort key of `record` on `property`, as the search orders by it.
fn sort_key(record: &Record<CompanyFields>, property: Property) -> (Option<Decimal>, String) {
    match CompanyFields::value(record, property.name) {
        Some(Scalar::Number(n)) => (Some(n), String::new()),
        Some(Scalar::Time(t)) => (Some(Decimal::from(t)), String::new()),
        Some(Scalar::Text(t) | Scalar::Code(t)) => (None, t),
        Some(Scalar::Date(d)) => (None, d.to_string()),
        Some(Scalar::Tags(_)) => unreachable!("tags do not sort"),
        None => (None, String::new()),
    }
}

async fn company_search_agrees_with_brute_force(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = Arc::new(SqlRecords::<CompanyFields>::new(t.app.adapters.db.clone()));
    let organization = OrganizationId::new("org-search");
    let mut rng = StdRng::seed_from_u64(20261130);
    let mut companies = Vec::new();
    for _ in 0..40 {
        let record =
            Record::create(organization.clone(), company(&mut rng), UserId::new("u1"), time::OffsetDateTime::now_utc())
                .unwrap();
        repo.create(&record, false, Recorded::default()).await.unwrap();
        companies.push(repo.get(&organization, record.id).await.unwrap().unwrap());
    }
    // Another organization's twin of every company: never found.
    for c in &companies {
        let twin =
            Record::create(OrganizationId::new("org-other"), c.fields.clone(), UserId::new("u1"), c.audit.created_at);
        repo.create(&twin.unwrap(), false, Recorded::default()).await.unwrap();
    }

    let mut nonempty = 0;
    for case in 0..150 {
        let groups: Vec<Vec<FilterInput>> = (0..rng.random_range(0..3))
            .map(|_| (0..rng.random_range(1..4)).map(|_| random_filter(&mut rng, &companies)).collect())
            .collect();
        let query = rng.random_bool(0.2).then(|| pick(&mut rng, &["acme", "CORP io", "ærø", "50%_", "zz"]).to_owned());
        let properties = CompanyFields::PROPERTIES;
        let sortable: Vec<Property> = properties.iter().copied().filter(|p| p.sortable).collect();
        let sort_property = sortable[rng.random_range(0..sortable.len())];
        let ascending = rng.random_bool(0.5);
        let search = check(properties, &groups, query.as_deref(), Some((sort_property.name, ascending))).unwrap();

        let mut expected: Vec<&Record<CompanyFields>> = companies
            .iter()
            .filter(|c| search.matches(|p| CompanyFields::value(c, p), &c.fields.search_text()))
            .collect();
        expected.sort_by(|a, b| {
            let order = sort_key(a, sort_property)
                .partial_cmp(&sort_key(b, sort_property))
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.id.to_string().cmp(&b.id.to_string()));
            if ascending { order } else { order.reverse() }
        });
        let expected: Vec<String> = expected.iter().map(|c| c.id.to_string()).collect();

        let mut found = Vec::new();
        let mut after = None;
        loop {
            let page = repo.search(&organization, &search, 7, after).await.unwrap();
            found.extend(page.items.iter().map(|c| c.id.to_string()));
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        assert_eq!(
            found, expected,
            "case {case}: {groups:?} query {query:?} sort {} asc {ascending}",
            sort_property.name
        );
        nonempty += usize::from(!expected.is_empty() && expected.len() < companies.len());
    }
    assert!(nonempty > 30, "the cases should mostly select something and not everything ({nonempty})");
}

async fn the_search_api_checks_filters_and_stays_in_its_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    for (i, (name, employees)) in [("Acme Corp", 40), ("Acme Labs", 5), ("Globex", 400)].into_iter().enumerate() {
        let body = json!({"name": name, "employees": employees, "domain": format!("c{i}.example")});
        let resp =
            t.as_(&alice).post("/api/crm/companies").idempotency_key(&format!("c-{i}")).body_json(&body).send().await;
        resp.assert_status(StatusCode::CREATED);
    }
    let search = json!({
        "filter_groups": [{"filters": [{"property": "employees", "operator": "gte", "value": 10}]}],
        "query": "acme",
        "sort": {"property": "name", "direction": "asc"}
    });
    let found = json(t.as_(&alice).post("/api/crm/companies/search").body_json(&search).send().await).await;
    let names: Vec<&str> = found["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme Corp"]);
    let everything = json!({"sort": {"property": "employees", "direction": "desc"}, "limit": 2});
    let page = json(t.as_(&alice).post("/api/crm/companies/search").body_json(&everything).send().await).await;
    assert_eq!((page["items"][0]["name"].clone(), page["has_more"].clone()), (json!("Globex"), json!(true)));
    // Another organization finds nothing, even by name.
    let by_name = json!({"query": "acme"});
    let theirs = json(t.as_(&mallory).post("/api/crm/companies/search").body_json(&by_name).send().await).await;
    assert_eq!(theirs["items"], json!([]));
    // Bad filters are named.
    let bad = json!({"filter_groups": [{"filters": [
        {"property": "colour", "operator": "eq", "value": "red"},
        {"property": "name", "operator": "gt", "value": "m"}
    ]}]});
    let resp = t.as_(&alice).post("/api/crm/companies/search").body_json(&bad).send().await;
    let refused = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["filter_groups[0].filters[0].property", "filter_groups[0].filters[1].operator"]);
    for kind in ["people", "deals"] {
        let resp = t.as_(&alice).post(format!("/api/crm/{kind}/search")).body_json(&json!({"query": "x"})).send().await;
        resp.assert_status_is_ok();
    }
    problem(t.client().post("/api/crm/deals/search").body_json(&json!({})).send().await, StatusCode::UNAUTHORIZED)
        .await;
}

/// How the backend runs the search statement of every sortable property of
/// `F`, both ways, on the first page and after a cursor. On PostgreSQL the
/// plan must never sort, with sorting priced out of reach (`enable_sort =
/// off`), so a plan that still sorts has no index to read instead. SQLite
/// has no such switch and its planner, without statistics, may sort a
/// small table anyway; there the check is that an index on exactly
/// `(organization_id, <the ORDER BY expression>, id)` exists.
async fn plans_without_sorting<F: SearchColumns>(db: &sea_orm::DatabaseConnection) {
    let backend = db.get_database_backend();
    let organization = OrganizationId::new("org-plans");
    for property in F::PROPERTIES.iter().filter(|p| p.sortable) {
        for ascending in [true, false] {
            let key = match property.ty {
                PropertyType::Number | PropertyType::Time => json!(5),
                _ => json!("m"),
            };
            let cursor = gremlin_kernel::Cursor::encode(&(key, uuid::Uuid::nil().to_string())).unwrap();
            for after in [None, Some(cursor.as_str())] {
                let search = check(F::PROPERTIES, &[], None, Some((property.name, ascending))).unwrap();
                let (sql, values) = search_statement::<F>(backend, &organization, &search, 50, after).unwrap();
                if backend != DatabaseBackend::Postgres {
                    let order = sql.split(" ORDER BY ").nth(1).unwrap();
                    let key = order.split(if ascending { " ASC, id" } else { " DESC, id" }).next().unwrap();
                    let indexes = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1";
                    let rows = db
                        .query_all_raw(gremlin_kernel::sql::statement(backend, indexes, vec![F::TABLE.into()]))
                        .await
                        .unwrap();
                    let wanted = format!("(organization_id, {key}, id)");
                    let found = rows
                        .iter()
                        .filter_map(|r| r.try_get::<Option<String>>("", "sql").unwrap())
                        .any(|s| s.contains(&wanted));
                    assert!(found, "{} has no index on {wanted}", F::TABLE);
                    continue;
                }
                let txn = db.begin().await.unwrap();
                txn.execute_unprepared("SET LOCAL enable_sort = off").await.unwrap();
                let explain = format!("EXPLAIN {sql}");
                let rows = txn.query_all_raw(gremlin_kernel::sql::statement(backend, &explain, values)).await.unwrap();
                let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap()).collect();
                txn.rollback().await.unwrap();
                let sorts = plan.iter().any(|line| line.contains("Sort"));
                assert!(
                    !sorts,
                    "{} by {} (asc {ascending}, after {after:?}) sorts:\n{}",
                    F::TABLE,
                    property.name,
                    plan.join("\n")
                );
            }
        }
    }
}

async fn every_sort_is_read_in_index_order(backend: Backend) {
    let t = TestApp::new(backend).await;
    let db = &t.app.adapters.db;
    plans_without_sorting::<CompanyFields>(db).await;
    plans_without_sorting::<PersonFields>(db).await;
    plans_without_sorting::<DealFields>(db).await;
}

async fn tags_are_searched_as_a_set_and_unindexed_sorts_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let tagged = [("Acme", json!(["VIP", "Partner"])), ("Globex", json!(["vipish"])), ("Initech", json!([]))];
    for (i, (name, tags)) in tagged.into_iter().enumerate() {
        let body = json!({"name": name, "tags": tags});
        let resp =
            t.as_(&alice).post("/api/crm/companies").idempotency_key(&format!("t-{i}")).body_json(&body).send().await;
        resp.assert_status(StatusCode::CREATED);
    }
    let names = |filter: Json| {
        let body = json!({"filter_groups": [{"filters": [filter]}], "sort": {"property": "name", "direction": "asc"}});
        let t = &t;
        let alice = alice.clone();
        async move {
            let page = json(t.as_(&alice).post("/api/crm/companies/search").body_json(&body).send().await).await;
            page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(names(json!({"property": "tags", "operator": "eq", "value": "vip"})).await, ["Acme"]);
    assert_eq!(names(json!({"property": "tags", "operator": "neq", "value": "VIP"})).await, ["Globex", "Initech"]);
    let any = json!({"property": "tags", "operator": "in", "values": ["partner", "vipish"]});
    assert_eq!(names(any).await, ["Acme", "Globex"]);
    let untagged = json!({"property": "tags", "operator": "not_has_property"});
    assert_eq!(names(untagged).await, ["Initech"]);
    // A tag is not text to search inside of, nor ordered.
    let inside = json!({"filter_groups": [{"filters": [{"property": "tags", "operator": "contains", "value": "vi"}]}]});
    let resp = t.as_(&alice).post("/api/crm/companies/search").body_json(&inside).send().await;
    let refused = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "filter_groups[0].filters[0].operator");
    // Sorting by a property without an index behind it is refused, naming those with one.
    let by_city = json!({"sort": {"property": "city"}});
    let resp = t.as_(&alice).post("/api/crm/companies/search").body_json(&by_city).send().await;
    let refused = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "sort.property");
    assert_eq!(
        refused["errors"][0]["message"],
        "not a sortable property; use one of: name, employees, annual_revenue, created_at, updated_at"
    );
}
