//! One whole measurement: the daemon started on the data, memory after start, readiness and
//! queries (P9), then the P8 phases.

use std::time::{Duration, Instant};

use super::load::{get_json, load, Phase, Target};
use super::process::{Daemon, Memory};
use super::report::{mib, ms, verdict};
use super::{Res, Settings, COMMITTEE, MIB, ON};
use reformlog::CommitteeId;
use reformlog_benches::domain_log::{date, Rng, FIRST_YEAR, YEARS};
use reformlog_benches::percentile;

/// What `measure` found.
pub(crate) struct Measured {
    pub(crate) at_ready: Memory,
    pub(crate) after_queries: Memory,
    pub(crate) trivial: Phase,
    pub(crate) reads: Phase,
    pub(crate) cold_reads: Phase,
    pub(crate) writes: Phase,
    pub(crate) after_load: Memory,
}

/// Waits for readiness, runs the P9 queries, then the P8 load phases.
pub(crate) async fn measure(
    s: &Settings,
    daemon: &Daemon,
    committees: &[CommitteeId],
    reader: &str,
    writer: &str,
    t: Instant,
    ticks: f64,
) -> Res<Measured> {
    let pid = daemon.pid().to_string();
    let make_client = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()
    };
    let clients = (0..s.connections)
        .map(|_| make_client())
        .collect::<Result<Vec<_>, _>>()?;
    let base = &daemon.base;
    let c0 = &clients[0];

    // Ready: the read models have reached the log head as it was at start.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let r = c0.get(format!("{base}/readyz")).send().await?;
        if r.status().is_success() {
            break;
        }
        if Instant::now() > deadline {
            return Err("not ready after 600 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready = t.elapsed();
    let at_ready = daemon.memory()?;
    println!(
        "ready after {:.2} s; VmRSS {}",
        ready.as_secs_f64(),
        mib(at_ready.rss)
    );

    // P9: compositions of generated committees on dates across the log's years (and the
    // seed committee), then lists of every kind with their second pages.
    let mut rng = Rng(7);
    let mut comp = Vec::with_capacity(s.queries);
    for i in 0..s.queries {
        let committee = if i % 10 == 0 {
            COMMITTEE.to_string()
        } else {
            committees[rng.below(committees.len() as u64) as usize].to_string()
        };
        let on = date(
            FIRST_YEAR + rng.below(YEARS as u64) as i32,
            rng.below(365) as u32,
        );
        let url = format!("{base}/v1/committees/{committee}/composition?on={on}");
        comp.push(get_json(c0, &url, reader).await?.1);
    }
    comp.sort();
    println!(
        "P9 queries: {} compositions p50 {}, p99 {}",
        comp.len(),
        ms(percentile(&comp, 0.5)),
        ms(percentile(&comp, 0.99))
    );
    let kinds = [
        "units",
        "people",
        "posts",
        "committees",
        "decisions",
        "tasks",
    ];
    let lists = (s.queries / 3).max(kinds.len());
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    for i in 0..lists {
        let k = i % kinds.len();
        let on = date(FIRST_YEAR + rng.below(YEARS as u64) as i32, 200);
        let url = format!("{base}/v1/{}?on={on}&limit=100", kinds[k]);
        let (page, took) = get_json(c0, &url, reader).await?;
        by_kind[k].push(took);
        if let Some(cursor) = page["answer"]["next_cursor"].as_str() {
            let (_, took) = get_json(c0, &format!("{url}&cursor={cursor}"), reader).await?;
            by_kind[k].push(took);
        }
    }
    let after_queries = daemon.memory()?;
    for (k, times) in kinds.iter().zip(&mut by_kind) {
        times.sort();
        println!(
            "P9 queries: list {k} (limit 100): {} pages, p50 {}, max {}",
            times.len(),
            ms(percentile(times, 0.5)),
            ms(percentile(times, 1.0))
        );
    }
    println!(
        "P9 VmRSS after the queries {} (peak so far {}); target ≤ 150 MiB: {}",
        mib(after_queries.rss),
        mib(after_queries.peak),
        verdict(after_queries.rss as f64 <= 150.0 * MIB)
    );

    // P8: the same connections, the same duration, the trivial route then composition.
    let healthz = Target::Get {
        url: format!("{base}/healthz"),
        token: None,
    };
    let composition = Target::Get {
        url: format!("{base}/v1/committees/{COMMITTEE}/composition?on={ON}"),
        token: Some(reader.to_string()),
    };
    load(&clients, &composition, s.warmup, &pid, ticks).await?;
    load(&clients, &healthz, s.warmup, &pid, ticks).await?;
    // Alternating halves, so a change in the machine's other load hits both routes alike.
    let half = s.load / 2;
    let mut trivial = load(&clients, &healthz, half, &pid, ticks).await?;
    let mut reads = load(&clients, &composition, half, &pid, ticks).await?;
    trivial.merge(load(&clients, &healthz, half, &pid, ticks).await?);
    reads.merge(load(&clients, &composition, half, &pid, ticks).await?);
    let each_day = Target::CompositionEachDay {
        base: base.to_string(),
        token: reader.to_string(),
    };
    let cold_reads = load(&clients, &each_day, half, &pid, ticks).await?;
    let writes = load(
        &clients,
        &Target::RegisterPerson {
            url: format!("{base}/v1/commands"),
            token: writer.to_string(),
        },
        s.load,
        &pid,
        ticks,
    )
    .await?;
    let after_load = daemon.memory()?;
    Ok(Measured {
        at_ready,
        after_queries,
        trivial,
        reads,
        cold_reads,
        writes,
        after_load,
    })
}
