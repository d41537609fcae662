package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.server.Allowlist;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values parsed by the classes they become: a value one refuses is reported in its own
 * words, as the option's error.
 */
final class Converters {
    private Converters() {}

    /** Converts with {@code parse}; its {@link IllegalArgumentException} becomes picocli's refusal of the value. */
    private abstract static class Parsed<T> implements ITypeConverter<T> {
        private final Function<String, T> parse;

        Parsed(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A backend: {@code xdp}, {@code udp}, {@code afxdp} or {@code memcached}. */
    static final class ToBackend extends Parsed<Backend> {
        ToBackend() {
            super(Backend::parse);
        }
    }

    /** An allowlist: client prefixes, comma-separated ({@link Allowlist#parse}). */
    static final class ToAllowlist extends Parsed<Allowlist> {
        ToAllowlist() {
            super(Allowlist::parse);
        }
    }
}
