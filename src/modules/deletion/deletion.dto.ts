import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsISO8601, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsLimitedText, IsPageLimit, IsWithinBulkLimit } from '../../shared/http/limits';
import { InstanceFilterDto } from '../instances/instances.dto';

export class BulkDeleteDto {
  @IsOptional()
  @IsArray({ message: 'ids must be an array of instance ids' })
  @ArrayMinSize(1, { message: 'ids must contain at least 1 id' })
  @IsWithinBulkLimit()
  @IsString({ each: true, message: 'each value in ids must be a string' })
  @MaxLength(100, { each: true, message: 'each value in ids must be at most 100 characters' })
  ids?: string[];

  @IsOptional()
  @IsDefined()
  @ValidateNested()
  @Type(() => InstanceFilterDto)
  filter?: InstanceFilterDto;

  @IsOptional()
  @IsString()
  @IsLimitedText()
  reason?: string;

  @IsOptional()
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
