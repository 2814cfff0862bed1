package org.electrolab.lab.experiment;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * results.csv: one row per run (RFC 4180: comma-separated, fields with a comma, quote or line break
 * quoted). Latencies in microseconds, throughput in completed requests per second. A run that wrote
 * no run.json has empty figure fields.
 */
public final class ResultsCsv implements AutoCloseable {
    public static final List<String> HEADER = List.of("size", "offloads", "clients", "repeat", "completed", "errors",
            "timeouts", "throughput_ops_per_sec", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "status", "reason");

    private final Writer out;

    private ResultsCsv(Writer out) {
        this.out = out;
    }

    /**
     * Creates the file with its header. Rows are flushed one by one, so an interrupted experiment keeps
     * every row it finished. (A plain FileOutputStream: an interrupt of the writing thread must not
     * close it, as it would an NIO channel.)
     */
    public static ResultsCsv create(Path file) throws IOException {
        Writer out = new OutputStreamWriter(new FileOutputStream(file.toFile()), StandardCharsets.UTF_8);
        ResultsCsv csv = new ResultsCsv(out);
        csv.writeLine(HEADER);
        return csv;
    }

    public void append(RunRow row) throws IOException {
        writeLine(fields(row));
    }

    private void writeLine(List<String> fields) throws IOException {
        out.write(String.join(",", fields.stream().map(ResultsCsv::quote).toList()));
        out.write("\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    static List<String> fields(RunRow row) {
        List<String> fields = new ArrayList<>(List.of(Integer.toString(row.size()), row.offloads(),
                Integer.toString(row.clients()), Integer.toString(row.repeat())));
        Figures f = row.figures();
        if (f == null) {
            for (int i = 0; i < 9; i++) fields.add("");
        } else {
            fields.addAll(List.of(Long.toString(f.completed()), Long.toString(f.errors()), Long.toString(f.timeouts()),
                    BigDecimal.valueOf(f.throughputOpsPerSec()).toPlainString(), Long.toString(f.p50Micros()),
                    Long.toString(f.p90Micros()), Long.toString(f.p99Micros()), Long.toString(f.p999Micros()),
                    Long.toString(f.maxMicros())));
        }
        fields.add(row.status().csvName);
        fields.add(row.reason());
        return fields;
    }

    private static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return "\"" + field.replace("\"", "\"\"") + "\"";
    }

    /** Every row of a results.csv; a malformed file is named with the line and the problem. */
    public static List<RunRow> read(Path file) throws IOException {
        List<List<String>> records = parse(Files.readString(file, StandardCharsets.UTF_8));
        if (records.isEmpty() || !records.getFirst().equals(HEADER)) {
            throw new IOException(file + ": line 1 is not the results.csv header " + String.join(",", HEADER));
        }
        List<RunRow> rows = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            try {
                rows.add(row(records.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": row " + (i + 1) + ": " + e.getMessage());
            }
        }
        return rows;
    }

    private static RunRow row(List<String> r) {
        if (r.size() != HEADER.size()) {
            throw new IllegalArgumentException("has " + r.size() + " fields, expected " + HEADER.size());
        }
        Figures figures = r.get(4).isEmpty() ? null : new Figures(Long.parseLong(r.get(4)), Long.parseLong(r.get(5)),
                Long.parseLong(r.get(6)), Double.parseDouble(r.get(7)), Long.parseLong(r.get(8)), Long.parseLong(r.get(9)),
                Long.parseLong(r.get(10)), Long.parseLong(r.get(11)), Long.parseLong(r.get(12)));
        return new RunRow(Integer.parseInt(r.get(0)), r.get(1), Integer.parseInt(r.get(2)), Integer.parseInt(r.get(3)),
                figures, RunStatus.named(r.get(13)), r.get(14));
    }

    /** RFC 4180 records; a quoted field may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case ',' -> {
                    record.add(field.toString());
                    field.setLength(0);
                }
                case '\r' -> {
                    continue;
                }
                case '\n' -> {
                    record.add(field.toString());
                    field.setLength(0);
                    records.add(record);
                    record = new ArrayList<>();
                    any = false;
                    continue;
                }
                default -> field.append(c);
            }
            any = true;
        }
        if (any || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }
}
