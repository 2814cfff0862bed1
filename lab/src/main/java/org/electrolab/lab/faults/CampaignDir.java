package org.electrolab.lab.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;

import org.electrolab.lab.pipeline.ResultsName;

/**
 * The layout of one campaign's results (docs/faults.md):
 * <pre>
 * campaign.yaml            the campaign file as it was run
 * environment.json         machine, software, command line; how each lab's offloads attached
 * runs/ID.json             each run's figures and verdict (ID like n3-all-leader-kill-r1)
 * runs/ID.history.jsonl    the run's history, every operation (large: not committed)
 * runs/ID.client.log       the client's output
 * logs/KEY/                the replicas' logs and last stats of lab KEY (like n3-all)
 * faults.csv, report.md, charts/timeline-*.png
 * </pre>
 */
public record CampaignDir(Path dir) {
    /** {@code parent/<local time>-faults}. */
    public static CampaignDir timestamped(Path parent, LocalDateTime now) {
        return new CampaignDir(ResultsName.dir(parent, now, "faults"));
    }

    /** Creates the directory; a non-empty one is refused so no earlier results are overwritten. */
    public void create() throws IOException {
        ResultsName.createEmpty(dir, runs(), logs());
    }

    public Path campaignCopy() {
        return dir.resolve("campaign.yaml");
    }

    public Path environment() {
        return dir.resolve("environment.json");
    }

    public Path runs() {
        return dir.resolve("runs");
    }

    public Path runJson(String id) {
        return runs().resolve(id + ".json");
    }

    public Path history(String id) {
        return runs().resolve(id + ".history.jsonl");
    }

    public Path clientLog(String id) {
        return runs().resolve(id + ".client.log");
    }

    public Path logs() {
        return dir.resolve("logs");
    }

    public Path csv() {
        return dir.resolve("faults.csv");
    }

    public Path report() {
        return dir.resolve("report.md");
    }

    public Path charts() {
        return dir.resolve("charts");
    }
}
