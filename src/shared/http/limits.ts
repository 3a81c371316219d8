import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min, ValidateBy, ValidationArguments } from 'class-validator';
import { Limits, loadConfig } from '../../config/app.config';

/**
 * The limits the validators enforce. class-validator's metadata is process-wide, so the limits are
 * too: `configureHttp` installs the configured ones before the app takes requests.
 */
let current: Limits = loadConfig({}).limits;

export function installLimits(limits: Limits) {
  current = { ...limits };
}

export function limits(): Readonly<Limits> {
  return current;
}

/** A free-text field: at most `STRING_MAX_LENGTH` characters. */
export const IsLimitedText = () =>
  ValidateBy({
    name: 'isLimitedText',
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || v.length <= current.stringMaxLength,
      defaultMessage: (a?: ValidationArguments) => `${a?.property} must be at most ${current.stringMaxLength} characters (STRING_MAX_LENGTH)`,
    },
  });

/** `ids` of a bulk request: at most `BULK_MAX_IDS` entries. */
export const IsWithinBulkLimit = () =>
  ValidateBy({
    name: 'isWithinBulkLimit',
    validator: {
      validate: (v: unknown) => !Array.isArray(v) || v.length <= current.bulkMaxIds,
      defaultMessage: (a?: ValidationArguments) =>
        `${a?.property} must contain at most ${current.bulkMaxIds} ids (BULK_MAX_IDS); split larger deletions or use filter`,
    },
  });

/** `limit` of a listing: an integer from 1 to `PAGE_MAX_LIMIT` (query strings arrive as text). */
export const IsPageLimit = () =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit must be an integer' }),
    Min(1, { message: 'limit must be at least 1' }),
    ValidateBy({
      name: 'isPageLimit',
      validator: {
        validate: (v: unknown) => typeof v !== 'number' || v <= current.pageMaxLimit,
        defaultMessage: () => `limit must be at most ${current.pageMaxLimit} (PAGE_MAX_LIMIT)`,
      },
    }),
  );
