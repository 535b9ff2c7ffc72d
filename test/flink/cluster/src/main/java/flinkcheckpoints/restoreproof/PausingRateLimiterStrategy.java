package flinkcheckpoints.restoreproof;

import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One permit every {@code intervalMs}; after {@code pauseAfter} permits (when non-negative) the permit never comes, so
 * the source stays idle but alive: checkpoints and cancellation still work because the wait is a future, not a block.
 */
final class PausingRateLimiterStrategy implements RateLimiterStrategy {

    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private final int pauseAfter;

    PausingRateLimiterStrategy(long intervalMs, int pauseAfter) {
        this.intervalMs = intervalMs;
        this.pauseAfter = pauseAfter;
    }

    @Override
    public RateLimiter createRateLimiter(int parallelism) {
        return new PausingRateLimiter(intervalMs, pauseAfter);
    }

    private static final class PausingRateLimiter implements RateLimiter {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "hello-source-rate-limiter");
                            thread.setDaemon(true);
                            return thread;
                        });
        private final long intervalMs;
        private final int pauseAfter;
        private int granted;

        PausingRateLimiter(long intervalMs, int pauseAfter) {
            this.intervalMs = intervalMs;
            this.pauseAfter = pauseAfter;
        }

        // acquire() is the abstract method in 1.x, acquire(int) in 2.x: both are here, neither marked @Override,
        // so one source compiles against both.
        public CompletionStage<Void> acquire(int requestSize) {
            return acquire();
        }

        public CompletionStage<Void> acquire() {
            CompletableFuture<Void> permit = new CompletableFuture<>();
            if (pauseAfter >= 0 && granted >= pauseAfter) {
                return permit;
            }
            granted++;
            timer.schedule(() -> permit.complete(null), intervalMs, TimeUnit.MILLISECONDS);
            return permit;
        }
    }
}
