package org.electrolab.lab.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Processes;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page as a student sees it: a 3-replica lab with every offload on under kv load, the page
 * open in headless Chromium (Debian's chromium and chromedriver), the leader killed with SIGKILL.
 * Within 2 s the page must name the new leader and a higher view. The screenshot taken during the
 * kill goes to {@code target/test-output/} (docs/lab-guide.md shows one).
 */
class WatchBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration NEW_LEADER_LIMIT = Duration.ofSeconds(2);
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    private final String name = "wb" + ProcessHandle.current().pid() % 1_000_000;
    @TempDir
    Path stateRoot;
    @TempDir
    Path browserProfile;
    private Locations paths;
    private Process client;
    private WatchServer server;
    private WebDriver browser;

    @BeforeEach
    void requireRootAndChromium() {
        RootRequirement.require("the live page's browser test (netns lab)");
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver";
            if (RootRequirement.inCi()) fail(why + "; bin/test installs them");
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        paths = new Locations(repo(), stateRoot);
    }

    @AfterEach
    void cleanUp() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
        if (client != null && client.isAlive()) Processes.stop(List.of(client.toHandle()));
        if (paths != null) Lab.down(paths, name);
    }

    @Test
    void thePageShowsTheNewLeaderAndAHigherViewWithinTwoSecondsOfALeaderKill() throws Exception {
        Lab lab = Lab.up(paths, name, new Scenario("scenario3", 3, List.of(Offload.values()), "kv", 1, 7000,
                new ClientLoad(4, Duration.ZERO, LOAD, 64)));
        client = lab.startClient(List.of("--clients", "4", "--warmup", "0s", "--duration", ClientLoad.argument(LOAD),
                "--out", stateRoot.resolve("run.json").toString()), stateRoot.resolve("client.log"));
        server = WatchServer.start(LabWatch.of(paths, name), WatchServer.LOOPBACK, 0);
        browser = chromium();
        browser.get(server.url());

        // The page shows the lab serving: a leader, the client's ops/s, and some seconds of the chart.
        WebDriverWait page = new WebDriverWait(browser, PAGE_WAIT, Duration.ofMillis(50));
        page.until(b -> !text("leader").equals("–") && !text("ops").equals("–") && server.latest().series().size() >= 25);
        List<?> shown = (List<?>) ((JavascriptExecutor) browser).executeScript("const leader = document.getElementById('leader').textContent;"
                + " const row = document.querySelector('tr[data-host=\"' + leader + '\"]');"
                + " return [leader, document.getElementById('view').textContent, row && row.dataset.role];");
        String oldLeader = (String) shown.get(0);
        long oldView = Long.parseLong((String) shown.get(1));
        assertThat(shown.get(2)).as("the role in the row of the leader the page names").isEqualTo("leader");
        Host leader = lab.network().host(oldLeader);

        // Killed as experiment faults kills it, and marked as the campaign marks it, so the chart shades the fault.
        FaultWindow fault = FaultWindow.injected("leader-kill", "killed " + oldLeader + " (leader)", System.currentTimeMillis());
        fault.write(lab.state().dir());
        ProcessHandle process = lab.replicaProcess(leader).orElseThrow();
        long killedNanos = System.nanoTime();
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);

        // The header names the leader as the highest NORMAL view's replicas say; the new leader's own row
        // follows when it writes its stats file, a moment later: wait for both.
        new WebDriverWait(browser, NEW_LEADER_LIMIT.multipliedBy(5), Duration.ofMillis(20)).until(b ->
                !text("leader").equals(oldLeader) && !text("leader").equals("–") && Long.parseLong(text("view")) > oldView
                        && role(text("leader")).equals("leader"));
        Duration shownAfter = Duration.ofNanos(System.nanoTime() - killedNanos);
        String newLeader = text("leader");
        System.out.println("the page named leader " + newLeader + " in view " + text("view") + " " + shownAfter.toMillis() + " ms after the kill");
        assertThat(shownAfter).as("time from the kill until the page named leader %s in view %s", newLeader, text("view"))
                .isLessThan(NEW_LEADER_LIMIT);
        assertThat(role(oldLeader)).isEqualTo("down");
        assertThat(role(newLeader)).isEqualTo("leader");

        // A few seconds on, the chart shows the dip and the recovery under the new leader.
        page.until(b -> server.latest().series().stream().filter(p -> p.atMillis() > fault.injectedAtMillis()).count() >= 4);
        assertThat(browser.findElements(By.cssSelector("#chart rect[data-fault=leader-kill]"))).hasSize(1);
        assertThat(text("events")).contains("view " + text("view") + ": " + newLeader + " leads", oldLeader + " down");
        screenshot("watch-leader-kill.png");

        // Healed as the campaign heals it: the killed replica comes back and recovers.
        lab.restartReplica(leader);
        fault.healed(System.currentTimeMillis()).write(lab.state().dir());
        page.until(b -> List.of("recovering", "follower").contains(role(oldLeader)));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    /** A host's role as its row says; read in one script, since the rows are redrawn four times a second. */
    private String role(String host) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript(
                "const row = document.querySelector('tr[data-host=\"' + arguments[0] + '\"]'); return row && row.dataset.role;", host));
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the networking flags Chromium keeps trying to reach Google's services.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + browserProfile, "--window-size=1280,860");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 860));
        return driver;
    }

    /** Saved with the test's output (surefire's system property el.testOutput, else target/test-output). */
    private void screenshot(String file) throws IOException {
        Path dir = Path.of(System.getProperty("el.testOutput", "target/test-output"));
        Files.createDirectories(dir);
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(file), png);
        System.out.println("screenshot: " + dir.resolve(file).toAbsolutePath());
    }

    private static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin").resolve("electrolab"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no checkout above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
