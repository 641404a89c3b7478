package org.cameldatalake.demo.ksqldb;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits ksqlDB SQL into tokens, with ksqlDB's identifier rules: unquoted identifiers are upper-cased, back-quoted and
 * double-quoted ones are kept exactly. Positions are ANTLR-style (line from 1, column from 1) for error messages.
 */
final class SqlLexer {

    enum Kind { IDENTIFIER, QUOTED_IDENTIFIER, STRING, NUMBER, SYMBOL, EOF }

    /** {@code value}: identifier as ksqlDB stores it, unescaped string literal, number text or symbol. */
    record Token(Kind kind, String value, int offset, int endOffset, int line, int column) {
        /** An unquoted identifier equal (case-insensitively) to this keyword. */
        boolean isKeyword(String keyword) {
            return kind == Kind.IDENTIFIER && value.equals(keyword);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && value.equals(symbol);
        }

        boolean isIdentifier() {
            return kind == Kind.IDENTIFIER || kind == Kind.QUOTED_IDENTIFIER;
        }

        String position() {
            return "line " + line + ":" + column;
        }
    }

    static final class SyntaxError extends RuntimeException {
        final int line;
        final int column;

        SyntaxError(int line, int column, String detail) {
            super(detail);
            this.line = line;
            this.column = column;
        }
    }

    private SqlLexer() {
    }

    static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int line = 1;
        int lineStart = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (text.startsWith("--", i)) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new SyntaxError(line, i - lineStart + 1, "unterminated comment");
                }
                for (int j = i; j < end; j++) {
                    if (text.charAt(j) == '\n') {
                        line++;
                        lineStart = j + 1;
                    }
                }
                i = end + 2;
                continue;
            }
            int start = i;
            int column = i - lineStart + 1;
            if (Character.isLetter(c) || c == '_') {
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
                        || text.charAt(i) == '@')) {
                    i++;
                }
                tokens.add(new Token(Kind.IDENTIFIER, text.substring(start, i).toUpperCase(Locale.ROOT), start, i, line,
                        column));
            } else if (c == '`' || c == '"' || c == '\'') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= text.length()) {
                        throw new SyntaxError(line, column, "unterminated quote " + c);
                    }
                    char d = text.charAt(i);
                    if (d == c) {
                        if (i + 1 < text.length() && text.charAt(i + 1) == c) {
                            value.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.append(d);
                    i++;
                }
                Kind kind = c == '\'' ? Kind.STRING : Kind.QUOTED_IDENTIFIER;
                tokens.add(new Token(kind, value.toString(), start, i, line, column));
            } else if (Character.isDigit(c)) {
                while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                tokens.add(new Token(Kind.NUMBER, text.substring(start, i), start, i, line, column));
            } else {
                String symbol = twoCharSymbol(text, i);
                if (symbol == null) {
                    symbol = String.valueOf(c);
                }
                i += symbol.length();
                tokens.add(new Token(Kind.SYMBOL, symbol, start, i, line, column));
            }
        }
        tokens.add(new Token(Kind.EOF, "<EOF>", text.length(), text.length(), line, text.length() - lineStart + 1));
        return tokens;
    }

    private static String twoCharSymbol(String text, int i) {
        if (i + 1 >= text.length()) {
            return null;
        }
        String two = text.substring(i, i + 2);
        return switch (two) {
            case "<=", ">=", "<>", "!=", "=>", "->", "||", ":=" -> two;
            default -> null;
        };
    }

    /** Sequential reader over a token list. */
    static final class Cursor {
        private final List<Token> tokens;
        private int index;

        Cursor(List<Token> tokens) {
            this.tokens = tokens;
        }

        Cursor(String text) {
            this(tokenize(text));
        }

        Token peek() {
            return tokens.get(index);
        }

        Token peek(int ahead) {
            return tokens.get(Math.min(index + ahead, tokens.size() - 1));
        }

        Token next() {
            Token token = tokens.get(index);
            if (token.kind() != Kind.EOF) {
                index++;
            }
            return token;
        }

        boolean acceptKeyword(String keyword) {
            if (peek().isKeyword(keyword)) {
                index++;
                return true;
            }
            return false;
        }

        boolean acceptSymbol(String symbol) {
            if (peek().isSymbol(symbol)) {
                index++;
                return true;
            }
            return false;
        }

        void expectKeyword(String keyword) {
            if (!acceptKeyword(keyword)) {
                throw unexpected("'" + keyword + "'");
            }
        }

        void expectSymbol(String symbol) {
            if (!acceptSymbol(symbol)) {
                throw unexpected("'" + symbol + "'");
            }
        }

        String expectIdentifier() {
            Token token = peek();
            if (!token.isIdentifier()) {
                throw unexpected("an identifier");
            }
            index++;
            return token.value();
        }

        int expectInteger() {
            Token token = peek();
            if (token.kind() != Kind.NUMBER || token.value().contains(".")) {
                throw unexpected("an integer");
            }
            index++;
            return Integer.parseInt(token.value());
        }

        boolean atEnd() {
            return peek().kind() == Kind.EOF;
        }

        SyntaxError unexpected(String expected) {
            Token token = peek();
            return new SyntaxError(token.line(), token.column(), "Expecting " + expected);
        }
    }
}
