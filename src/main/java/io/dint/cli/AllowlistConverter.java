package io.dint.cli;

import io.dint.server.Allowlist;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

final class AllowlistConverter implements ITypeConverter<Allowlist> {
    @Override
    public Allowlist convert(String value) {
        try {
            return Allowlist.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
