package io.dint.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparable end of every benchmark: one line per figure, {@code <bench>.<backend>.<figure> =
 * <value>}, in the order they were added.
 */
public final class Figures {
    private final String bench;
    private final List<String[]> lines = new ArrayList<>();

    public Figures(String bench) {
        this.bench = bench;
    }

    public void add(String backend, String figure, double value) {
        lines.add(new String[] {bench + "." + backend + "." + figure, format(value)});
    }

    public List<String[]> lines() {
        return lines;
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "nan";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 1 ? "%.2f" : "%.4f", v);
    }

    public void print(PrintStream out) {
        for (String[] l : lines) {
            out.println(l[0] + " = " + l[1]);
        }
    }
}
