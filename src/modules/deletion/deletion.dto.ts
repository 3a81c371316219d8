import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsISO8601, IsObject, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsLimitedText, IsPageLimit, IsWithinBulkLimit } from '../../shared/http/limits';
import { InstanceFilterDto } from '../instances/instances.dto';

/** Optional, but `null` is not "absent": it must fail validation instead of reaching the handler. */
const IsAbsentOr = () => ValidateIf((_, v) => v !== undefined);

export class BulkDeleteDto {
  @IsAbsentOr()
  @IsArray({ message: 'ids must be an array of instance ids' })
  @ArrayMinSize(1, { message: 'ids must contain at least 1 id' })
  @IsWithinBulkLimit()
  @IsString({ each: true, message: 'each value in ids must be a string' })
  @MaxLength(100, { each: true, message: 'each value in ids must be at most 100 characters' })
  ids?: string[];

  @IsAbsentOr()
  @IsObject({ message: 'filter must be an object of list filters' })
  @ValidateNested()
  @Type(() => InstanceFilterDto)
  filter?: InstanceFilterDto;

  @IsOptional()
  @IsString()
  @IsLimitedText()
  reason?: string;

  @IsAbsentOr()
  @IsBoolean({ message: 'dryRun must be a boolean' })
  dryRun?: boolean;
}

export class ListOperationsDto {
  @IsPageLimit()
  limit?: number;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date-time' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date-time' })
  to?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;
}

export const IDEMPOTENCY_KEY = /^[\w.:-]{1,200}$/;
