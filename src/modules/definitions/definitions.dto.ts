import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { IsLimitedText } from '../../shared/http/limits';

/** Ids callers may choose: letters, digits, `-`, `_`, `.`, up to 100 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const ID_MESSAGE = (field: string) => `${field} must be 1-100 characters of letters, digits, '.', '_' or '-'`;

export class CreateDefinitionDto {
  @IsString()
  @MinLength(1)
  @IsLimitedText()
  name!: string;

  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE('id') })
  id?: string;
}

export class DeleteBodyDto {
  @IsOptional()
  @IsString()
  @IsLimitedText()
  reason?: string;
}
