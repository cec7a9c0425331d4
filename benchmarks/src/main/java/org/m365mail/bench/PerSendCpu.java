package org.m365mail.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link PerSendCost} under JMH (one fork of its own) and reports microseconds and bytes per send. */
final class PerSendCpu {

    private final Path workDir;
    private final Benchmarks.Report report;

    PerSendCpu(Path workDir, Benchmarks.Report report) {
        this.workDir = workDir;
        this.report = report;
    }

    void run(boolean smoke) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(PerSendCost.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .jvmArgsAppend("-Xmx512m", "-Dbench.workDir=" + workDir.toAbsolutePath());
        if (smoke) {
            options.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        } else {
            options.forks(1).warmupIterations(5).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(8).measurementTime(TimeValue.seconds(2));
        }
        Map<String, RunResult> byName = new HashMap<>();
        for (RunResult r : new Runner(options.build()).run()) {
            String name = r.getParams().getBenchmark();
            byName.put(name.substring(name.lastIndexOf('.') + 1), r);
        }
        RunResult connector = byName.get("connector");
        RunResult raw = byName.get("rawAngus");
        double c = connector.getPrimaryResult().getScore();
        double r = raw.getPrimaryResult().getScore();
        report.line("4. Per-send cost (JMH %s, 1 thread, AverageTime; build one small message and hand it over to the "
                + "stand-in's SMTP)", smoke ? "smoke: 1 x 200 ms, no fork" : "1 fork, 5 x 2 s warm-up, 8 x 2 s");
        RunResult noSession = byName.get("connectorNoSession");
        report.line("   connector %.1f ± %.1f us/send, %s | raw Angus %.1f ± %.1f us/send, %s | connector adds %.1f "
                        + "us/send (%.0f%%)", c, connector.getPrimaryResult().getScoreError(), allocation(connector), r,
                raw.getPrimaryResult().getScoreError(), allocation(raw), c - r, (c - r) / r * 100);
        report.line("   connector, message built on no Session (new MimeMessage((Session) null)) %.1f ± %.1f us/send, %s",
                noSession.getPrimaryResult().getScore(), noSession.getPrimaryResult().getScoreError(),
                allocation(noSession));
    }

    private static String allocation(RunResult result) {
        Result<?> norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? "allocation not measured" : String.format(java.util.Locale.ROOT, "%.0f B allocated",
                norm.getScore());
    }
}
