package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final AtomicLong now = new AtomicLong(TimeUnit.DAYS.toNanos(3) + 123);

    private static int drain(RetryBudget budget) {
        int n = 0;
        while (budget.tryWithdraw()) {
            n++;
        }
        return n;
    }

    @Test
    void theFloorAloneAllowsMinPerSecondTimesTheWindow() {
        RetryBudget budget = new RetryBudget(now::get, 0.2, 3);
        assertThat(drain(budget)).isEqualTo(3 * RetryBudget.WINDOW_SECONDS);
    }

    @Test
    void eachCallDepositsItsShare() {
        RetryBudget budget = new RetryBudget(now::get, 0.2, 0);
        for (int i = 0; i < 4; i++) {
            budget.deposit();
        }
        assertThat(budget.tryWithdraw()).as("0.8 of a retry is not a retry").isFalse();
        budget.deposit();
        assertThat(drain(budget)).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            budget.deposit();
        }
        assertThat(drain(budget)).isEqualTo(20);
    }

    @Test
    void depositsAndWithdrawalsExpireWithTheWindow() {
        RetryBudget budget = new RetryBudget(now::get, 0.5, 1);
        for (int i = 0; i < 10; i++) {
            budget.deposit();                   // +5
        }
        assertThat(drain(budget)).isEqualTo(15); // 5 + 10 reserve

        now.addAndGet(TimeUnit.SECONDS.toNanos(RetryBudget.WINDOW_SECONDS - 1));
        assertThat(budget.tryWithdraw()).as("still inside the window").isFalse();

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(drain(budget)).as("the spent second left the window").isEqualTo(10);
    }

    @Test
    void theWindowSlidesSecondBySecond() {
        RetryBudget budget = new RetryBudget(now::get, 1.0, 0);
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 10; i++) {
                budget.deposit();
            }
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        }
        assertThat(budget.balance()).isEqualTo(50.0);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // the first two seconds of deposits expire
        assertThat(budget.balance()).isEqualTo(30.0);
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertThat(budget.balance()).isZero();
    }

    @Test
    void aZeroBudgetNeverRetries() {
        RetryBudget budget = new RetryBudget(now::get, 0.0, 0);
        for (int i = 0; i < 1000; i++) {
            budget.deposit();
        }
        assertThat(budget.tryWithdraw()).isFalse();
    }

    /**
     * Deposits take no lock within a second: four threads depositing at once, across a second boundary that one of
     * them rolls, lose none (the budget is exact in thousandths of a retry).
     */
    @Test
    void concurrentDepositsAcrossASecondBoundaryAreAllCounted() throws Exception {
        RetryBudget budget = new RetryBudget(now::get, 0.25, 0);
        int threads = 4;
        int perThread = 20_000;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.List<Thread> all = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perThread; i++) {
                    if (id == 0 && i == perThread / 2) {
                        now.addAndGet(TimeUnit.SECONDS.toNanos(1)); // the next second, mid-run
                    }
                    budget.deposit();
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join();
        }
        assertThat(budget.balance()).isEqualTo(threads * perThread * 0.25);
        now.addAndGet(TimeUnit.SECONDS.toNanos(RetryBudget.WINDOW_SECONDS + 1));
        assertThat(budget.balance()).as("all of it expired with the window").isZero();
    }
}
